using System.Runtime.InteropServices;

namespace Sandboxd.Bench;

internal static partial class Posix
{
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
