using System.Runtime.InteropServices;

namespace Sandboxd.Tests.Support;

internal static partial class Posix
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    /// <summary>True while a process with this pid exists (a zombie counts).</summary>
    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");
}
