using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sandboxd.Isolation.Network;
using Sandboxd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Sandboxd.Tests.Network;

/// <summary>A large transfer through the proxy arrives whole. What egress costs (CONNECT latency,
/// throughput against the direct path, create time) is measured by `make bench`, not here: timed
/// bounds in a test only flake on a shared 2-core machine.</summary>
public sealed class ProxyTransferTests(ITestOutputHelper output)
{
    private const int SourcePort = 9000;
    private const int Megabytes = 64;

    [RootFact]
    public async Task A_large_transfer_through_the_proxy_arrives_whole()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [443, SourcePort] });
        bed.Host.ServeTcp(SourcePort, TestServers.Source(Megabytes));
        var socket = NetnsThread.Run(bed.Sandbox.NetnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        var rate = await ThroughputAsync(async () => (await bed.ConnectAsync($"{bed.Host.Address}:{SourcePort}", socket)).Socket);
        output.WriteLine($"proxied {Megabytes} MiB at {rate:F0} MB/s");
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
}
