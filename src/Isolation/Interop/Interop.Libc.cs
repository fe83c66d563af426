using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Interop;

internal static unsafe partial class Native
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_SEQPACKET = 5;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const uint MFD_CLOEXEC = 1;
    internal const uint MFD_ALLOW_SEALING = 2;
    internal const int F_ADD_SEALS = 1033;
    internal const int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    internal const int SIGKILL = 9;
    internal const int WNOHANG = 1;

    [LibraryImport(Libraries.Libc, EntryPoint = "socketpair", SetLastError = true)]
    internal static partial int SocketPair(int domain, int type, int protocol, int* sv);

    [LibraryImport(Libraries.Libc, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, byte* buf, nint count);

    internal const int EINPROGRESS = 115;

    [LibraryImport(Libraries.Libc, EntryPoint = "connect", SetLastError = true)]
    internal static partial int Connect(int fd, byte* address, int length);

    [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libraries.Libc, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport(Libraries.Libc, EntryPoint = "waitpid", SetLastError = true)]
    internal static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(Libraries.Libc, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chown(string path, uint uid, uint gid);

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "prlimit", SetLastError = true)]
    internal static partial int PrLimit(int pid, int resource, RLimit* newLimit, RLimit* oldLimit);

    [LibraryImport(Libraries.Libc, EntryPoint = "geteuid")]
    internal static partial uint GetEuid();
}
