using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>The upstream connect: a destination that refuses gets 502 and its own rule, and one
/// that accepts is relayed (the connect completes with or without the synchronous wait).</summary>
public sealed class ProxyUpstreamTests
{
    private const int ClosedPort = 9002;

    [RootFact]
    public async Task A_refused_upstream_is_answered_502_and_recorded()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [443, ClosedPort] });

        var (socket, status, head) = await bed.ConnectAsync($"{bed.Host.Address}:{ClosedPort}");
        socket.Dispose();

        Assert.Equal(502, status);
        Assert.Contains("X-Sandboxd-Denied: upstream-unreachable", head, StringComparison.Ordinal);
        var refused = await bed.Events.WaitForAsync(e => e.Rule == "upstream-unreachable");
        Assert.Equal(ClosedPort, refused.Port);
    }
}
