using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

/// <summary>Executions and terminals: signals through pidfds, the pty ioctls, a devpts check.</summary>
internal static unsafe partial class Native
{
    private const long SysPidfdSendSignal = 424;
    internal const uint TIOCSWINSZ = 0x5414, TIOCGPTPEER = 0x5441, TIOCSPTLCK = 0x40045431;
    internal const long DEVPTS_SUPER_MAGIC = 0x1cd1;

    internal static int PidfdSendSignal(int pidfd, int signal) => (int)Syscall((nint)SysPidfdSendSignal, pidfd, signal, 0, 0, 0);

    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, nint arg);

    [LibraryImport(Libraries.Libc, EntryPoint = "fstatfs", SetLastError = true)]
    internal static partial int FStatFs(int fd, byte* buf);
}
