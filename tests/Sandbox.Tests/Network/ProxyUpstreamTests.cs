using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>The upstream connect: a destination that refuses gets 502 and its own rule, one that
/// never answers gets 504 once the connect timeout (2 s in the test bed) has passed its short
/// synchronous wait, and one that accepts is relayed.</summary>
public sealed class ProxyUpstreamTests
{
    private const int ClosedPort = 9002;
    private const int SilentPort = 9003;

    [RootFact]
    public async Task A_refused_upstream_is_answered_502_and_recorded()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.PolicyAllowing(ClosedPort));

        var (socket, status, head) = await bed.ConnectAsync($"{bed.Host.Address}:{ClosedPort}");
        socket.Dispose();

        Assert.Equal(502, status);
        Assert.Contains("X-Sandboxd-Denied: upstream-unreachable", head, StringComparison.Ordinal);
        var refused = await bed.Events.WaitForAsync(e => e.Rule == "upstream-unreachable");
        Assert.Equal(ClosedPort, refused.Port);
    }

    [RootFact]
    public async Task A_silent_upstream_is_answered_504_after_the_connect_timeout_and_recorded()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.PolicyAllowing(SilentPort));
        // Inside the test host's own namespace: its SYNs are dropped, so the handshake never ends.
        await Shell.CheckAsync("ip", "netns", "exec", bed.Host.Name, "nft",
            $"add table inet silent; add chain inet silent input {{ type filter hook input priority 0; }}; " +
            $"add rule inet silent input tcp dport {SilentPort} drop");

        var (socket, status, head) = await bed.ConnectAsync($"{bed.Host.Address}:{SilentPort}");
        socket.Dispose();

        Assert.Equal(504, status);
        Assert.Contains("X-Sandboxd-Denied: upstream-timeout", head, StringComparison.Ordinal);
        var silent = await bed.Events.WaitForAsync(e => e.Rule == "upstream-timeout");
        Assert.Equal(SilentPort, silent.Port);
    }
}
