using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

internal static unsafe partial class Native
{
    internal const long SYS_pidfd_send_signal = 424;
    internal const long SYS_pidfd_open = 434;
    internal const long SYS_openat2 = 437;
    internal const int O_RDWR = 2, O_NOCTTY = 0x100, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    internal const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
    internal const uint TIOCSWINSZ = 0x5414, TIOCGPTPEER = 0x5441, TIOCSPTLCK = 0x40045431;
    internal const long DEVPTS_SUPER_MAGIC = 0x1cd1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, long a, long b, long c, long d);

    [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, nint arg);

    [LibraryImport(Libraries.Libc, EntryPoint = "fstatfs", SetLastError = true)]
    internal static partial int FStatFs(int fd, byte* buf);

    [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buf, nint count);
}
