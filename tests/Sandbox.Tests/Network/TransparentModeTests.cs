using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>Programs that ignore the proxy variables: with transparent mode every TCP connection is
/// redirected to the proxy and judged by its SNI or Host header.</summary>
public sealed class TransparentModeTests
{
    private static readonly Dictionary<string, string> NoProxy = [];

    [RootFact]
    public async Task TlsWithoutProxyVariablesIsStillFilteredBySni()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);
        var ip = bed.Host.Address.ToString();

        var allowed = await bed.Sandbox.RunAsync(NoProxy, "curl", "-sS", "-k", "--max-time", "5",
            "--resolve", $"allowed.test:443:{ip}", "https://allowed.test/");
        var denied = await bed.Sandbox.RunAsync(NoProxy, "curl", "-sS", "-k", "--max-time", "5",
            "--resolve", $"denied.test:443:{ip}", "https://denied.test/");

        Assert.True(allowed.Code == 0, allowed.Err);
        Assert.Equal("hello from allowed.test\n", allowed.Out);
        Assert.NotEqual(0, denied.Code);
        var ok = await bed.Events.WaitForAsync(e => e.Allowed);
        Assert.Equal(("transparent-tls", "allowed.test", "allowed.test"), (ok.Protocol, ok.Destination, ok.Sni));
        Assert.True(ok.BytesDown > 0);
        var refused = await bed.Events.WaitForAsync(e => e.Destination == "denied.test");
        Assert.Equal(("denied-domain:denied.test", false), (refused.Rule, refused.Allowed));
    }

    [RootFact]
    public async Task PlainHttpWithoutProxyVariablesIsStillFilteredByHost()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);
        bed.Attachment.UpdatePolicy(bed.Policy with { AllowedPorts = [80] });
        var ip = bed.Host.Address.ToString();

        var allowed = await bed.Sandbox.RunAsync(NoProxy, "curl", "-sS", "--max-time", "5",
            "--resolve", $"allowed.test:80:{ip}", "http://allowed.test/");
        var denied = await bed.Sandbox.RunAsync(NoProxy, "curl", "-sS", "--max-time", "5", "-o", "/dev/null",
            "-w", "%{http_code}", "--resolve", $"denied.test:80:{ip}", "http://denied.test/");

        Assert.Equal("hello from allowed.test\n", allowed.Out);
        Assert.Equal("403", denied.Out);
        Assert.Equal("transparent-http", (await bed.Events.WaitForAsync(e => e.Allowed)).Protocol);
        Assert.Equal("denied-domain:denied.test", (await bed.Events.WaitForAsync(e => !e.Allowed)).Rule);
    }
}
