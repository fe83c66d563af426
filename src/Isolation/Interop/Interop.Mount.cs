using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

internal static unsafe partial class Native
{
    internal const ulong MS_REMOUNT = 32;

    [LibraryImport(Libraries.Libc, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mount(string? source, string target, string? fsType, ulong flags, string? data);
}
