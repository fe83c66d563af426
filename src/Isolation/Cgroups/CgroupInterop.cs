using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>The few libc calls cgroupfs needs beyond file IO: mkdir for an atomic "already exists"
/// (Directory.CreateDirectory succeeds on an existing dir), rmdir with its errno (cgroup dirs are only
/// ever removed with rmdir) and kill by pid.</summary>
internal static partial class CgroupInterop
{
    public const int Sigkill = 9;

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mkdir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rmdir(string path);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
