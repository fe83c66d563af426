using System.Net;
using System.Net.Sockets;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>Transparent mode's DNS: every UDP query to port 53 from the sandbox, whatever the
/// address, is answered by the sandbox's stub from its policy; nothing reaches another server.</summary>
public sealed class DnsStubTests
{
    /// <summary>The address the default image's resolv.conf names; any other works the same.</summary>
    private static readonly IPEndPoint Nameserver = new(IPAddress.Parse("192.0.2.53"), 53);

    [RootFact]
    public async Task AllowedNamesResolveDeniedAndRestrictedOnesAreNxdomainAndEachIsAnEvent()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);
        using var udp = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        var allowed = await DnsProbe.AskAsync(udp, Nameserver, DnsProbe.Query("allowed.test", DnsProbe.A, id: 7));
        Assert.NotNull(allowed);
        Assert.Equal((true, 0, (ushort)7), (allowed.IsResponse, allowed.Rcode, allowed.Id));
        Assert.Equal([bed.Host.Address], allowed.Addresses);
        var ok = await bed.Events.WaitForAsync(e => e.Protocol == "dns" && e.Allowed);
        Assert.Equal(("allowed.test", bed.Host.Address.ToString(), "allowed-domain:allowed.test"), (ok.Destination, ok.ResolvedAddress, ok.Rule));

        var denied = await DnsProbe.AskAsync(udp, Nameserver, DnsProbe.Query("denied.test", DnsProbe.A));
        Assert.Equal((3, 0), (denied!.Rcode, denied.Addresses.Count));
        Assert.Equal("denied-domain:denied.test", (await bed.Events.WaitForAsync(e => e.Destination == "denied.test")).Rule);

        var unlisted = await DnsProbe.AskAsync(udp, Nameserver, DnsProbe.Query("elsewhere.example", DnsProbe.A));
        Assert.Equal(3, unlisted!.Rcode);

        // An allowed name that resolves to loopback is refused like the proxy would refuse it.
        var loopback = await DnsProbe.AskAsync(udp, Nameserver, DnsProbe.Query("loopback.test", DnsProbe.A));
        Assert.Equal((3, 0), (loopback!.Rcode, loopback.Addresses.Count));
        Assert.StartsWith("restricted-address:", (await bed.Events.WaitForAsync(e => e.Destination == "loopback.test")).Rule,
            StringComparison.Ordinal);

        // IPv6 is off inside: AAAA is an empty answer, not an error.
        var v6 = await DnsProbe.AskAsync(udp, Nameserver, DnsProbe.Query("allowed.test", DnsProbe.Aaaa));
        Assert.Equal((0, 0), (v6!.Rcode, v6.Addresses.Count));
    }

    [RootFact]
    public async Task AQueryAimedAtARealServerIsAnsweredByTheStubNotTheServer()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);
        var query = DnsProbe.Query("denied.test", DnsProbe.A);
        // Control: the test host's UDP server on port 53 echoes whatever it gets.
        using (var control = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            var echo = await DnsProbe.AskAsync(control, new IPEndPoint(bed.Host.Address, 53), query);
            Assert.False(echo!.IsResponse);
            Assert.Equal(query, echo.Raw);
        }

        using var udp = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var reply = await DnsProbe.AskAsync(udp, new IPEndPoint(bed.Host.Address, 53), query);

        Assert.NotNull(reply);
        Assert.True(reply.IsResponse, "the echo server answered: the query left the sandbox");
        Assert.Equal(3, reply.Rcode);
    }

    [RootFact]
    public async Task HostileQueriesGetFormerrOrNothingAndTheStubKeepsAnswering()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);
        using var udp = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var good = DnsProbe.Query("allowed.test", DnsProbe.A);

        var pointer = good[..12].Concat(new byte[] { 0xC0, 0x0C, 0, 1, 0, 1 }).ToArray();
        var dotInLabel = DnsProbe.Query("x", DnsProbe.A);
        dotInLabel[13] = (byte)'.';
        var truncated = good[..20];
        var twoQuestions = (byte[])good.Clone();
        twoQuestions[5] = 2;
        foreach (var bad in new[] { pointer, dotInLabel, truncated, twoQuestions })
        {
            var reply = await DnsProbe.AskAsync(udp, Nameserver, bad);
            Assert.Equal((true, 1), (reply!.IsResponse, reply.Rcode));
        }
        // Too short to carry an id, or itself a response: no answer at all (no reflection loops).
        Assert.Null(await DnsProbe.AskAsync(udp, Nameserver, good[..5], timeoutMs: 500));
        var response = (byte[])good.Clone();
        response[2] |= 0x80;
        Assert.Null(await DnsProbe.AskAsync(udp, Nameserver, response, timeoutMs: 500));

        Assert.Equal([bed.Host.Address], (await DnsProbe.AskAsync(udp, Nameserver, good))!.Addresses);
    }

    [RootFact]
    public async Task APolicyUpdateGovernsTheNextLookup()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);
        using var udp = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var query = DnsProbe.Query("denied.test", DnsProbe.A);
        Assert.Equal(3, (await DnsProbe.AskAsync(udp, Nameserver, query))!.Rcode);

        bed.Attachment.UpdatePolicy(bed.Policy with { DeniedDomains = [], AllowedDomains = ["denied.test"] });

        Assert.Equal([bed.Host.Address], (await DnsProbe.AskAsync(udp, Nameserver, query))!.Addresses);
    }

    [RootFact]
    public async Task WithoutTransparentModeDnsStillReachesNothing()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        using var udp = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.Null(await DnsProbe.AskAsync(udp, Nameserver, DnsProbe.Query("allowed.test", DnsProbe.A), timeoutMs: 800));
        Assert.DoesNotContain(bed.Events.All, e => e.Protocol == "dns");
    }
}
