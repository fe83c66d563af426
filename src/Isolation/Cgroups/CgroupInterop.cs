using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>The few libc calls cgroupfs needs beyond file IO: mkdir for an atomic "already exists"
/// (Directory.CreateDirectory succeeds on an existing dir), rmdir with its errno (cgroup dirs are only
/// ever removed with rmdir) and kill by pid.</summary>
internal static class CgroupInterop
{
    public const int Sigkill = Native.SIGKILL;

    public static int Mkdir(string path, uint mode) => Native.Mkdir(path, mode);

    public static int Rmdir(string path) => Native.Rmdir(path);

    public static int Kill(int pid, int signal) => Native.Kill(pid, signal);
}
