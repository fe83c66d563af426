using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>Per-sandbox limits: concurrent connections and total bytes.</summary>
public sealed class ProxyLimitTests
{
    [RootFact]
    public async Task ConnectionsPastTheLimitAreRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { MaxConnections = 1 });

        var (held, first, _) = await bed.ConnectAsync("allowed.test:443");
        var (second, status, _) = await bed.ConnectAsync("allowed.test:443");
        held.Dispose();
        second.Dispose();

        Assert.Equal((200, 429), (first, status));
        Assert.False((await bed.Events.WaitForAsync(e => e.Rule == "limit:connections")).Allowed);
    }

    [RootFact]
    public async Task TrafficPastTheByteLimitIsCutAndLaterConnectionsRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { MaxTotalBytes = 600 });

        var (code, _, _) = await bed.Sandbox.RunAsync(bed.Attachment.ProxyEnvironment,
            "curl", "-sS", "-k", "--max-time", "5", "https://allowed.test/");
        var (socket, status, _) = await bed.ConnectAsync("allowed.test:443");
        socket.Dispose();

        Assert.NotEqual(0, code);
        Assert.Equal(429, status);
        var cut = await bed.Events.WaitForAsync(e => e.Rule == "limit:total-bytes" && e.Protocol == "connect" && e.BytesUp > 0);
        Assert.False(cut.Allowed);
    }
}
