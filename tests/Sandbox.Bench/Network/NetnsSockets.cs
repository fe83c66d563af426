using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sandboxd.Bench.Network;

/// <summary>Sockets made inside another network namespace (a socket keeps the netns it was made
/// in): the bench's "program inside the sandbox" and its servers inside the test host, without
/// spawning a process per connection. Only a short-lived thread switches netns.</summary>
internal static partial class NetnsSockets
{
    private const int CloneNewNet = 0x40000000;

    public static List<Socket> Make(string netnsPath, int count, Func<Socket> make)
    {
        var made = new List<Socket>(count);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var ns = File.OpenHandle(netnsPath);
                if (SetNs((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns {netnsPath}: errno {Marshal.GetLastPInvokeError()}");
                for (var i = 0; i < count; i++)
                    made.Add(make());
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? made : throw new InvalidOperationException($"in {netnsPath}: {failure.Message}", failure);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
