using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

/// <summary>Mirrors the tree-walking helpers of native/sbx.h (walk.c): fd-relative, never
/// following a symlink, for directories whose contents a sandbox controls.</summary>
internal static unsafe partial class Native
{
    /// <summary>AT_FDCWD: a path relative to the working directory, or absolute.</summary>
    internal const int AtCwd = -100;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SbxFileStat
    {
        public uint Mode;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
        public uint Reserved;
        public ulong Inode;
        public long Size;
        public long MtimeNs;
        public long CtimeNs;
    }

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_OpenDirAt", SetLastError = true)]
    internal static partial int OpenDirAt(int dirFd, byte* name);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_StatAt", SetLastError = true)]
    internal static partial int StatAt(int dirFd, byte* name, SbxFileStat* stat);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_ReadDirEntries", SetLastError = true)]
    internal static partial int ReadDirEntries(int dirFd, byte* buffer, uint length);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_LayerWatchOpen", SetLastError = true)]
    internal static partial int LayerWatchOpen();

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_LayerWatchAdd", SetLastError = true)]
    internal static partial int LayerWatchAdd(int fan, int dirFd, ulong* fsid);

    [LibraryImport(Libraries.SbxNative, EntryPoint = "Sbx_LayerWatchDrain", SetLastError = true)]
    internal static partial int LayerWatchDrain(int fan, ulong* fsids, int max, int* overflow);
}
