using System.Runtime.InteropServices;

namespace Sandboxd.LayerBench;

/// <summary>waitpid for the children the launcher starts (the launcher leaves reaping to its caller).</summary>
internal static partial class Reaper
{
    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, IntPtr status, int options);

    public static void Reap(int pid)
    {
        while (WaitPid(pid, IntPtr.Zero, 0) == -1 && Marshal.GetLastPInvokeError() == 4)
        {
        }
    }
}
