using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

/// <summary>The calls of the sandbox file API (Filesystem/SandboxFiles): openat2, statx, the *at
/// family on resolved parent fds, per-thread fs credentials, pidfds and inotify.</summary>
internal static unsafe partial class Native
{
    internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    internal const int O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_TRUNC = 0x200, O_APPEND = 0x400;
    internal const int O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;
    internal const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04;
    internal const ulong RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    internal const uint RENAME_NOREPLACE = 1;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    private const long SysOpenat2 = 437, SysPidfdOpen = 434, SysSetfsuid = 122, SysSetfsgid = 123, SysRenameat2 = 316;

    [StructLayout(LayoutKind.Sequential)]
    internal struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>struct statx (include/uapi/linux/stat.h), 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSec;
        [FieldOffset(120)] public uint MtimeNsec;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    internal const short POLLIN = 1;

    [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint a, nint b, nint c, nint d, nint e);

    internal static int Openat2(int dirFd, byte* path, OpenHow* how) =>
        (int)Syscall((nint)SysOpenat2, dirFd, (nint)path, (nint)how, sizeof(OpenHow), 0);

    internal static int PidfdOpen(int pid) => (int)Syscall((nint)SysPidfdOpen, pid, 0, 0, 0, 0);

    /// <summary>Per thread (the raw syscall; glibc's setfsuid is the raw syscall too). Returns the previous fsuid.</summary>
    internal static int SetFsUid(uint uid) => (int)Syscall((nint)SysSetfsuid, (nint)uid, 0, 0, 0, 0);

    internal static int SetFsGid(uint gid) => (int)Syscall((nint)SysSetfsgid, (nint)gid, 0, 0, 0, 0);

    internal static int Renameat2(int oldDir, byte* oldName, int newDir, byte* newName, uint flags) =>
        (int)Syscall((nint)SysRenameat2, oldDir, (nint)oldName, newDir, (nint)newName, (nint)flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true)]
    internal static partial int StatxAt(int dirFd, byte* path, int flags, uint mask, Statx* buf);

    [LibraryImport(Libraries.Libc, EntryPoint = "openat", SetLastError = true)]
    internal static partial int OpenAt(int dirFd, byte* path, int flags, uint mode);

    [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true)]
    internal static partial int Open(byte* path, int flags, uint mode);

    [LibraryImport(Libraries.Libc, EntryPoint = "mkdirat", SetLastError = true)]
    internal static partial int MkdirAt(int dirFd, byte* path, uint mode);

    [LibraryImport(Libraries.Libc, EntryPoint = "unlinkat", SetLastError = true)]
    internal static partial int UnlinkAt(int dirFd, byte* path, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "readlinkat", SetLastError = true)]
    internal static partial nint ReadlinkAt(int dirFd, byte* path, byte* buf, nint size);

    [LibraryImport(Libraries.Libc, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int Fchmod(int fd, uint mode);

    [LibraryImport(Libraries.Libc, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int Ftruncate(int fd, long length);

    [LibraryImport(Libraries.Libc, EntryPoint = "pread", SetLastError = true)]
    internal static partial nint Pread(int fd, byte* buf, nint count, long offset);

    [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Libraries.Libc, EntryPoint = "inotify_init1", SetLastError = true)]
    internal static partial int InotifyInit1(int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "inotify_add_watch", SetLastError = true)]
    internal static partial int InotifyAddWatch(int fd, byte* path, uint mask);
}
