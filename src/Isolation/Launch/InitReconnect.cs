using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Launch;

/// <summary>Finds a sandbox's init again after a daemon restart and takes back what the daemon
/// held: its control socket (the end init re-armed for a new daemon, native/init_adopt.c) and the
/// writable layer's fd. The recorded pid is trusted only through a pidfd: the process behind it
/// must be PID 1 of its own pid namespace and a member of the sandbox's cgroup, which only the
/// sandbox's init (or, were init gone, nothing: the namespace dies with it) can be.</summary>
internal static unsafe class InitReconnect
{
    /// <summary>How long init may take to notice the old daemon's end closed and re-arm.</summary>
    private static readonly TimeSpan RearmWait = TimeSpan.FromSeconds(5);

    private const int HandshakeTimeoutMs = 5000;

    public static SafeFileHandle OpenVerified(int pid, string cgroupName)
    {
        if (pid <= 0)
            throw new SandboxReadoptException("no init pid on record");
        int fd = Native.PidfdOpen(pid);
        if (fd == -1)
            throw new SandboxReadoptException($"init {pid} is gone ({Errno.Name(Marshal.GetLastPInvokeError())})");
        var pidfd = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // Read after the pidfd was opened and checked alive after: the files described the
            // process the pidfd refers to (a pid is reused only once its process is gone).
            bool inCgroup = InCgroup(pid, cgroupName);
            bool nsInit = IsNamespaceInit(pid);
            if (Exited(pidfd))
                throw new SandboxReadoptException($"init {pid} is gone");
            if (!inCgroup || !nsInit)
                throw new SandboxReadoptException($"process {pid} is not this sandbox's init (cgroup {cgroupName}: {inCgroup}, PID 1 of its namespace: {nsInit})");
            return pidfd;
        }
        catch
        {
            pidfd.Dispose();
            throw;
        }
    }

    /// <summary>The control socket, once init answered the adopt message on it.</summary>
    public static int TakeControl(SafeFileHandle pidfd, int pid)
    {
        var deadline = DateTime.UtcNow + RearmWait;
        int sock;
        while ((sock = Native.PidfdGetFd((int)pidfd.DangerousGetHandle(), InitProtocol.InitAdoptFd)) == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            // EBADF: init has not seen the old daemon's end close yet (or has another daemon).
            if (errno != Errno.EBADF || DateTime.UtcNow > deadline || Exited(pidfd))
                throw new SandboxReadoptException($"take init {pid}'s socket (pidfd_getfd): {Errno.Describe(errno)}");
            Thread.Sleep(10);
        }
        try
        {
            Handshake(sock, pid);
            return sock;
        }
        catch
        {
            Native.Close(sock);
            throw;
        }
    }

    public static SafeFileHandle TakeUpper(SafeFileHandle pidfd, int pid)
    {
        int fd = Native.PidfdGetFd((int)pidfd.DangerousGetHandle(), InitProtocol.InitUpperFd);
        if (fd == -1)
            throw new SandboxReadoptException($"take init {pid}'s writable layer (pidfd_getfd): {Errno.Describe(Marshal.GetLastPInvokeError())}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Polls the pidfd: readable once the process has exited.</summary>
    public static bool Exited(SafeFileHandle pidfd, int timeoutMs = 0)
    {
        var p = new Native.PollFd { Fd = (int)pidfd.DangerousGetHandle(), Events = Native.POLLIN };
        int n;
        while ((n = Native.Poll(&p, 1, timeoutMs)) == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR)
        {
        }
        return n != 0;
    }

    private static void Handshake(int sock, int pid)
    {
        var adopt = InitProtocol.EncodeAdopt();
        fixed (byte* m = adopt)
        {
            if (Native.SendWithFds(sock, m, (uint)adopt.Length, null, 0) != adopt.Length)
                throw new SandboxReadoptException($"send adopt to init {pid}: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        }
        var buffer = new byte[InitProtocol.EventSize];
        int* fds = stackalloc int[4];
        while (true)
        {
            int count = 0, n;
            fixed (byte* b = buffer)
                n = Native.RecvWithFds(sock, b, (uint)buffer.Length, fds, 4, &count, HandshakeTimeoutMs);
            int errno = Marshal.GetLastPInvokeError();
            for (int i = 0; i < count; i++)
                Native.Close(fds[i]);
            if (n <= 0)
                throw new SandboxReadoptException($"init {pid} did not answer the adopt message: {(n == 0 ? "socket closed" : Errno.Describe(errno))}");
            if (n == buffer.Length && InitProtocol.DecodeEvent(buffer).Type == InitProtocol.MsgAdopted)
                return;
        }
    }

    private static bool InCgroup(int pid, string cgroupName)
    {
        try
        {
            // "N:controllers:/path" per hierarchy, from this (the host's) cgroup namespace.
            return File.ReadLines($"/proc/{pid}/cgroup").Any(l => l.EndsWith(":/" + cgroupName, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>"NSpid: host … 1": PID 1 of the innermost pid namespace it is in.</summary>
    private static bool IsNamespaceInit(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
            var fields = line?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } && fields[^1] == "1";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
