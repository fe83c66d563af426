using System.Runtime.InteropServices;

namespace Sandboxd.Tests.Network;

/// <summary>Runs a function on a fresh thread that has joined another network namespace. A socket
/// keeps the netns it was created in, so this is how tests make "attacker" sockets inside a
/// sandbox and server sockets inside a test host without spawning programs. Only that thread
/// switches (setns on CLONE_NEWNET is per thread); it ends right after.</summary>
internal static partial class NetnsThread
{
    private const int CloneNewNet = 0x40000000;

    public static T Run<T>(string netnsPath, Func<T> function)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(netnsPath);
                if (SetNs((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns {netnsPath}: errno {Marshal.GetLastPInvokeError()}");
                result = function();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw new InvalidOperationException($"in netns {netnsPath}: {failure.Message}", failure);
        return result!;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
