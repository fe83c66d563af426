using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Sandboxd.Isolation.Interop;

/// <summary>The libc calls the managed side makes. Declared by Tmds.LibC where it has them with
/// x86_64-correct types (its imports set errno for <see cref="Marshal.GetLastPInvokeError"/>, so
/// callers read errors as before); these wrappers only adapt names and marshal strings. Kept as our
/// own imports: waitpid and prlimit, which Tmds.LibC 0.5.0 does not declare.</summary>
internal static unsafe partial class Native
{
    // Constants stay ours: Tmds.LibC's are static fields, not compile-time constants.
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_SEQPACKET = 5;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const uint MFD_CLOEXEC = 1;
    internal const uint MFD_ALLOW_SEALING = 2;
    internal const int F_ADD_SEALS = 1033;
    internal const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    internal const int SIGKILL = 9;
    internal const int SIGSTOP = 19;
    internal const int WNOHANG = 1;
    internal const int EINPROGRESS = 115;

    internal static int SocketPair(int domain, int type, int protocol, int* sv) => LibC.socketpair(domain, type, protocol, sv);

    internal static int MemfdCreate(string name, uint flags)
    {
        fixed (byte* p = Utf8z(name))
            return LibC.memfd_create(p, flags);
    }

    internal static int Fcntl(int fd, int cmd, int arg) => LibC.fcntl(fd, cmd, arg);

    internal static nint Write(int fd, byte* buf, nint count) => (nint)LibC.write(fd, buf, (size_t)count);

    internal static int Connect(int fd, byte* address, int length) => LibC.connect(fd, (sockaddr*)address, (uint)length);

    internal static int Close(int fd) => LibC.close(fd);

    internal static int Kill(int pid, int signal) => LibC.kill(pid, signal);

    internal static int Chown(string path, uint uid, uint gid)
    {
        fixed (byte* p = Utf8z(path))
            return LibC.chown(p, uid, gid);
    }

    internal static int Mkdir(string path, uint mode)
    {
        fixed (byte* p = Utf8z(path))
            return LibC.mkdir(p, (mode_t)mode);
    }

    internal static int Rmdir(string path)
    {
        fixed (byte* p = Utf8z(path))
            return LibC.rmdir(p);
    }

    internal static uint GetEuid() => LibC.geteuid();

    [LibraryImport(Libraries.Libc, EntryPoint = "waitpid", SetLastError = true)]
    internal static partial int WaitPid(int pid, int* status, int options);

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "prlimit", SetLastError = true)]
    internal static partial int PrLimit(int pid, int resource, RLimit* newLimit, RLimit* oldLimit);

    /// <summary>A NUL-terminated UTF-8 copy for libc; null stays null.</summary>
    internal static byte[]? Utf8z(string? s)
    {
        if (s is null)
            return null;
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
