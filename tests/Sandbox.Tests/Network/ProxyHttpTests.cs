using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>Plain http:// through the proxy, and live policy updates.</summary>
public sealed class ProxyHttpTests
{
    [RootFact]
    public async Task HostHeaderThatDiffersFromTheUriIsRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [80, 443] });

        var reply = await bed.PlainHttpAsync("GET http://allowed.test/ HTTP/1.1\r\nHost: denied.test\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403", reply, StringComparison.Ordinal);
        Assert.Equal("host-header-mismatch", (await bed.Events.WaitForAsync(e => !e.Allowed)).Rule);
    }

    [RootFact]
    public async Task APolicyUpdateGovernsTheNextConnection()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        const string request = "GET http://allowed.test/x HTTP/1.1\r\nHost: allowed.test\r\n\r\n";

        Assert.StartsWith("HTTP/1.1 403", await bed.PlainHttpAsync(request), StringComparison.Ordinal);

        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [80, 443] });
        var allowed = await bed.PlainHttpAsync(request);
        Assert.StartsWith("HTTP/1.1 200", allowed, StringComparison.Ordinal);
        Assert.EndsWith("hello from allowed.test\n", allowed, StringComparison.Ordinal);

        bed.Attachment.UpdatePolicy(bed.Policy with { DeniedDomains = ["allowed.test"] });
        var (socket, status, _) = await bed.ConnectAsync("allowed.test:443");
        socket.Dispose();
        Assert.Equal(403, status);
        Assert.Equal(["port-not-allowed:80", "allowed-domain:allowed.test,allowed-cidr:" + bed.Host.Cidr,
                "denied-domain:allowed.test"],
            (await WaitForCountAsync(bed, 3)).Select(e => e.Rule));
    }

    [RootFact]
    public async Task APipelinedSecondRequestIsNeverForwarded()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [80, 443] });

        var reply = await bed.PlainHttpAsync(
            "GET http://allowed.test/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n" +
            "GET http://allowed.test/ HTTP/1.1\r\nHost: denied.test\r\n\r\n");

        Assert.Equal(1, reply.Split("HTTP/1.1 ").Length - 1);
        Assert.DoesNotContain("denied.test", reply, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task CurlWithTheProxyEnvironmentFetchesPlainHttp()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [80] });

        var (code, output, error) = await bed.Sandbox.RunAsync(bed.Attachment.ProxyEnvironment,
            "curl", "-sS", "--max-time", "5", "http://allowed.test/");

        Assert.True(code == 0, error);
        Assert.Equal("hello from allowed.test\n", output);
        var decision = await bed.Events.WaitForAsync(e => e.Allowed);
        Assert.Equal(("http", 80), (decision.Protocol, decision.Port));
        Assert.True(decision.BytesUp > 0 && decision.BytesDown > 0);
    }

    private static async Task<List<Sandboxd.Isolation.Network.NetworkDecision>> WaitForCountAsync(NetworkTestBed bed, int count)
    {
        for (var i = 0; i < 100 && bed.Events.All.Count < count; i++)
            await Task.Delay(20);
        return [.. bed.Events.All];
    }
}
