using System.Diagnostics;
using Sandboxd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Sandboxd.Tests.Network;

/// <summary>The bytes-per-second limit holds for all of a sandbox's connections together. Only a
/// lower bound on the limited time is asserted (a slow machine can only make it longer), and the
/// same transfers without the limit must beat it.</summary>
public sealed class ProxyRateLimitTests(ITestOutputHelper output)
{
    private const int SourcePort = 9001;
    private const int MegabytesPerConnection = 2;
    private const int Connections = 2;
    private const long BytesPerSecond = 2 * 1024 * 1024;

    [RootFact]
    public async Task Connections_share_the_rate_and_are_faster_without_it()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var open = bed.PolicyAllowing(SourcePort);
        bed.Host.ServeTcp(SourcePort, TestServers.Source(MegabytesPerConnection));

        bed.Attachment.UpdatePolicy(open with { MaxBytesPerSecond = BytesPerSecond });
        var limited = await TransferAllAsync(bed);
        bed.Attachment.UpdatePolicy(open);
        var unlimited = await TransferAllAsync(bed);
        output.WriteLine($"limited {limited.TotalSeconds:F2} s, unlimited {unlimited.TotalSeconds:F2} s");

        const double megabytes = MegabytesPerConnection * Connections;
        var floor = 0.8 * megabytes * 1024 * 1024 / BytesPerSecond;
        Assert.True(limited.TotalSeconds >= floor, $"{megabytes} MiB at 2 MiB/s took {limited.TotalSeconds:F2} s (< {floor:F2} s)");
        Assert.True(unlimited < limited, $"unlimited {unlimited.TotalSeconds:F2} s, limited {limited.TotalSeconds:F2} s");
        var events = await bed.Events.WaitForAsync(e => e.Port == SourcePort && e.BytesDown == MegabytesPerConnection * 1048576L);
        Assert.True(events.Allowed);
    }

    /// <summary>All connections at once, each through its own CONNECT, each received whole.</summary>
    private static async Task<TimeSpan> TransferAllAsync(NetworkTestBed bed)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            using var tunnel = (await bed.ConnectAsync($"{bed.Host.Address}:{SourcePort}")).Socket;
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(MegabytesPerConnection * 1048576L, await NetworkTestBed.ReceiveAllAsync(tunnel, deadline.Token));
        }));
        return clock.Elapsed;
    }
}
