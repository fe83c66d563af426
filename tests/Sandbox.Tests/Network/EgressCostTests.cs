using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sandboxd.Isolation.Network;
using Sandboxd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Sandboxd.Tests.Network;

/// <summary>What egress costs: attach + detach time, added latency per CONNECT, and proxied
/// throughput as a ratio of the direct path to the same test host. Bounds are loose (a shared
/// 2-core VM); the numbers go to the test output.</summary>
public sealed class EgressCostTests(ITestOutputHelper output)
{
    private const int SourcePort = 9000;
    private const int Megabytes = 64;

    [RootFact]
    public async Task AttachDetachLatencyConnectOverheadAndThroughput()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [443, SourcePort] });
        bed.Host.ServeTcp(SourcePort, SendMegabytesAsync);

        var attach = await MeasureAttachAsync(bed);
        var direct = await MedianAsync(50, async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(bed.Host.Address, 443));
        });
        // Sockets are made inside the sandbox up front: joining a netns per socket would dominate.
        var sockets = new Queue<Socket>(NetnsThread.Run(bed.Sandbox.NetnsPath, () => Enumerable.Range(0, 51)
            .Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList()));
        var proxied = await MedianAsync(50, async () =>
            (await bed.ConnectAsync("allowed.test:443", sockets.Dequeue())).Socket.Dispose());
        var directRate = await ThroughputAsync(async () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(bed.Host.Address, SourcePort));
            return socket;
        });
        var proxiedRate = await ThroughputAsync(async () =>
            (await bed.ConnectAsync($"{bed.Host.Address}:{SourcePort}", sockets.Dequeue())).Socket);

        output.WriteLine($"attach+detach median {attach.TotalMilliseconds:F1} ms");
        output.WriteLine($"connect p50: direct {direct.TotalMicroseconds:F0} µs, via CONNECT {proxied.TotalMicroseconds:F0} µs, " +
                         $"added {(proxied - direct).TotalMicroseconds:F0} µs");
        output.WriteLine($"throughput: direct {directRate:F0} MB/s, proxied {proxiedRate:F0} MB/s, ratio {proxiedRate / directRate:F2}");
        Assert.True(attach < TimeSpan.FromSeconds(1), $"attach+detach took {attach}");
        Assert.True(proxiedRate > directRate * 0.3, $"proxied {proxiedRate:F0} MB/s vs direct {directRate:F0} MB/s");
    }

    private static async Task<TimeSpan> MeasureAttachAsync(NetworkTestBed bed)
    {
        using var sandbox = await FakeSandbox.StartAsync();
        return await MedianAsync(5, async () =>
        {
            await using var attachment = await bed.Network.AttachAsync("cost", sandbox.Pid, bed.Policy);
        });
    }

    private static async Task<double> ThroughputAsync(Func<Task<Socket>> open)
    {
        using var socket = await open();
        var buffer = new byte[256 * 1024];
        long total = 0;
        var clock = Stopwatch.StartNew();
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
            total += n;
        Assert.Equal(Megabytes * 1024L * 1024, total);
        return total / 1048576.0 / clock.Elapsed.TotalSeconds;
    }

    private static async Task<TimeSpan> MedianAsync(int runs, Func<Task> action)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            times.Add(clock.Elapsed);
        }
        times.Sort();
        return times[runs / 2];
    }

    private static async Task SendMegabytesAsync(Socket socket, CancellationToken cancellationToken)
    {
        var chunk = Encoding.ASCII.GetBytes(new string('x', 1024 * 1024));
        for (var i = 0; i < Megabytes; i++)
            await socket.SendAsync(chunk, SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    }
}
