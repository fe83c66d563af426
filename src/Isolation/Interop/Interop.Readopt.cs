namespace Sandboxd.Isolation.Interop;

/// <summary>Re-adoption of a sandbox after a daemon restart: fds taken from its init by number.</summary>
internal static unsafe partial class Native
{
    private const long SysPidfdGetfd = 438;

    /// <summary>pidfd_getfd(2): a copy (close-on-exec) of fd <paramref name="targetFd"/> of the
    /// process behind <paramref name="pidfd"/>; needs ptrace rights over it.</summary>
    internal static int PidfdGetFd(int pidfd, int targetFd) => (int)Syscall((nint)SysPidfdGetfd, pidfd, targetFd, 0, 0, 0);
}
