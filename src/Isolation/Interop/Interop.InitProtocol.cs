using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

internal static unsafe partial class Native
{
    /// <summary>sizeof exec, kill, event and caps messages as native/init_proto.h declares them.</summary>
    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_InitProtocolSizes")]
    internal static partial void InitProtocolSizes(uint* sizes);

    /// <summary>sizeof op, spawn_args, spawn_result, file_stat, egress_budget and relay_result as
    /// native/sbx.h declares them.</summary>
    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_AbiStructSizes")]
    internal static partial void AbiStructSizes(uint* sizes);
}
