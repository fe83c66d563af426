using System.Diagnostics;
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
        bed.Attachment.UpdatePolicy(bed.PolicyAllowing(SourcePort));
        bed.Host.ServeTcp(SourcePort, TestServers.Source(Megabytes));
        using var tunnel = (await bed.ConnectAsync($"{bed.Host.Address}:{SourcePort}")).Socket;
        var clock = Stopwatch.StartNew();
        var total = await NetworkTestBed.ReceiveAllAsync(tunnel);
        Assert.Equal(Megabytes * 1024L * 1024, total);
        output.WriteLine($"proxied {Megabytes} MiB at {total / 1048576.0 / clock.Elapsed.TotalSeconds:F0} MB/s");
    }
}
