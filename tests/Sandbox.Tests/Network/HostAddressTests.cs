using System.Net;
using System.Net.Sockets;
using Sandboxd.Isolation.Network;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>A name that resolves to an address of the host itself must not reach the host's
/// services: every address on every host interface counts, read when the proxy decides.</summary>
public sealed class HostAddressTests
{
    [RootFact]
    public async Task AnAddressOfTheHostIsRefusedForAsLongAsTheHostHasIt()
    {
        await using var dummy = await HostDummyAddress.AddAsync();
        var matcher = new PolicyMatcher(new EgressPolicy { AllowedDomains = ["self.test"] });

        Assert.Equal("host-address", matcher.CheckAddress(dummy.V4, isLiteral: false).Rule);
        Assert.Equal("host-address", matcher.CheckAddress(dummy.V6, isLiteral: false).Rule);
        Assert.Equal("host-address", matcher.CheckAddress(IPAddress.Parse($"::ffff:{dummy.V4}"), isLiteral: false).Rule);

        // Read at each decision, not once: the address gone, the same matcher lets it pass.
        await dummy.RemoveAddressesAsync();
        Assert.Equal("public-address", matcher.CheckAddress(dummy.V4, isLiteral: false).Rule);
        Assert.Equal("public-address", matcher.CheckAddress(dummy.V6, isLiteral: false).Rule);
        await dummy.AddAddressesAsync();
        Assert.False(matcher.CheckAddress(dummy.V4, isLiteral: false).Allowed);
    }

    [RootFact]
    public async Task AnAllowedCidrLiftsTheHostAddressDenial()
    {
        await using var dummy = await HostDummyAddress.AddAsync();
        var matcher = new PolicyMatcher(new EgressPolicy { AllowedCidrs = [$"{dummy.V4}/32"] });

        Assert.Equal($"allowed-cidr:{dummy.V4}/32", matcher.CheckAddress(dummy.V4, isLiteral: false).Rule);
    }

    [RootFact]
    public async Task ConnectToAnAllowedNameOnTheHostsOwnAddressIsRefused()
    {
        await using var dummy = await HostDummyAddress.AddAsync();
        await using var bed = await NetworkTestBed.StartAsync(names: new Dictionary<string, IPAddress[]>
        {
            ["self.test"] = [dummy.V4],
        });
        // A service on the host's 0.0.0.0, which is what the sandbox must not reach.
        using var service = new TcpListener(IPAddress.Any, 0);
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        bed.Attachment.UpdatePolicy(bed.PolicyAllowing(port) with { AllowedDomains = ["allowed.test", "self.test"] });
        // Control: the service answers on that address, so a refusal below is the proxy's.
        using (var control = new TcpClient())
            await control.ConnectAsync(dummy.V4, port).WaitAsync(TimeSpan.FromSeconds(2));

        var (socket, status, head) = await bed.ConnectAsync($"self.test:{port}");
        socket.Dispose();

        Assert.Equal(403, status);
        Assert.Contains("X-Sandboxd-Denied: host-address", head, StringComparison.Ordinal);
        var decision = await bed.Events.WaitForAsync(e => e.Destination == "self.test");
        Assert.Equal((false, dummy.V4.ToString()), (decision.Allowed, decision.ResolvedAddress));
    }
}
