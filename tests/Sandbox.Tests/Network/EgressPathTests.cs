using System.Net;
using System.Net.Sockets;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>Paths around the proxy below TCP: UDP (DNS), raw IP, IPv6, and the none mode. Each
/// has a control from the host proving the target would answer.</summary>
public sealed class EgressPathTests
{
    [RootFact]
    public async Task UdpDnsQueriesReachNothing()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var query = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07allowed\x04test\x00\x00\x01\x00\x01"u8.ToArray();

        using (var control = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            Assert.True(await UdpAnsweredAsync(control, new IPEndPoint(bed.Host.Address, 53), query), "control: no echo");

        foreach (var target in new[] { bed.Host.Address, bed.Host.HostSide, bed.Attachment.ProxyEndpoint.Address })
        {
            using var udp = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Assert.False(await UdpAnsweredAsync(udp, new IPEndPoint(target, 53), query), $"UDP to {target} answered");
        }
    }

    [RootFact]
    public async Task RawSocketsReachNothing()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        using (var control = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp))
            Assert.True(await IcmpProbe.EchoAsync(control, bed.Host.Address), "control: test host did not answer ping");

        foreach (var target in new[] { bed.Host.Address, bed.Attachment.ProxyEndpoint.Address })
        {
            using var raw = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
            Assert.False(await IcmpProbe.EchoAsync(raw, target), $"raw ICMP to {target} answered");
        }
    }

    [RootFact]
    public async Task Ipv6IsOffInsideAndReachesNothing()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var target = new IPEndPoint(bed.Host.AddressV6, 443);

        using (var control = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp))
            await control.ConnectAsync(target).WaitAsync(TimeSpan.FromSeconds(2));

        var (_, flag, _) = await bed.Sandbox.RunAsync(new Dictionary<string, string>(),
            "cat", "/proc/sys/net/ipv6/conf/all/disable_ipv6");
        Assert.Equal("1", flag.Trim());
        using var socket = bed.Sandbox.Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(800);
        var failure = await Record.ExceptionAsync(async () => await socket.ConnectAsync(target, timeout.Token));
        Assert.True(failure is SocketException or OperationCanceledException, "IPv6 connect succeeded");
    }

    [RootFact]
    public async Task InNoneModeAServerOnTheHostLoopbackIsUnreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        using (var control = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            await control.ConnectAsync(endpoint);
        using var sandbox = await FakeSandbox.StartAsync();

        using var socket = sandbox.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(800);
        var failure = await Record.ExceptionAsync(async () => await socket.ConnectAsync(endpoint, timeout.Token));

        Assert.True(failure is SocketException or OperationCanceledException, "reached the host's loopback");
        var (_, links, _) = await sandbox.RunAsync(new Dictionary<string, string>(), "ip", "-o", "link");
        Assert.Single(links.Trim().Split('\n'));
    }

    private static async Task<bool> UdpAnsweredAsync(Socket udp, IPEndPoint target, byte[] query)
    {
        try
        {
            await udp.SendToAsync(query, target);
            using var cts = new CancellationTokenSource(600);
            await udp.ReceiveFromAsync(new byte[512], new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
