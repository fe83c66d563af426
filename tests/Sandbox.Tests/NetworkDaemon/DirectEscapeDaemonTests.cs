using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Network;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>Ways past the proxy that need no proxy at all, tried from inside a daemon-made egress
/// sandbox by direct_probe.py, as the sandbox user and as the sandbox's root: ICMP over a raw
/// socket, a UDP datagram, TCP over IPv6. Each target is the test host of <see cref="EgressWorld"/>,
/// and a control from the host proves it answers.</summary>
[Collection(EgressWorldCollection.Name)]
public sealed class DirectEscapeDaemonTests(EgressWorldFixture fixture)
{
    private static readonly string[] Users = ["sandbox", "root"];

    private static readonly byte[] ProbeScript = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "NetworkDaemon", "direct_probe.py"));

    [RootFact]
    public async Task A_raw_socket_is_refused_to_the_sandbox_user_and_to_root_inside()
    {
        var world = await fixture.GetAsync();
        using (var control = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp))
            Assert.True(await IcmpProbe.EchoAsync(control, world.Host.Address), "the test host does not answer pings");

        await world.WithEgressAsync(async sandbox =>
        {
            // No CAP_NET_RAW for anyone inside, root included: the socket is refused before any packet.
            Assert.Equal("sandbox: raw open-failed EPERM|root: raw open-failed EPERM",
                await ProbeAsUsersAsync(world, sandbox, "raw", world.Host.Address.ToString()));
        });
    }

    [RootFact]
    public async Task A_udp_datagram_gets_no_answer_from_the_test_host_nor_from_the_host_itself()
    {
        var world = await fixture.GetAsync();
        // An echo on all the host's addresses, the sandbox's gateway among them.
        using var hostEcho = new UdpClient(new IPEndPoint(IPAddress.Any, 0));
        var port = ((IPEndPoint)hostEcho.Client.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource();
        var echoing = EchoAsync(hostEcho, stop.Token);
        try
        {
            await world.WithEgressAsync(async sandbox =>
            {
                // Controls: both echoes answer from the host, the gateway's (a host address) included.
                var gateway = new Uri((await world.Daemon.Client.RunAsync(sandbox.Id, ["/usr/bin/printenv", "HTTP_PROXY"])).Stdout.Trim()).Host;
                await AssertEchoesAsync(new IPEndPoint(world.Host.Address, 53));
                await AssertEchoesAsync(new IPEndPoint(IPAddress.Parse(gateway), port));

                Assert.Equal("sandbox: udp no-reply|root: udp no-reply", await ProbeAsUsersAsync(world, sandbox, "udp", world.Host.Address.ToString(), 53));
                Assert.Equal("sandbox: udp no-reply|root: udp no-reply", await ProbeAsUsersAsync(world, sandbox, "udp", "gateway", port));
            });
        }
        finally
        {
            await stop.CancelAsync();
            await echoing;
        }
    }

    [RootFact]
    public async Task A_tcp_connection_over_ipv6_has_no_address_to_leave_from()
    {
        var world = await fixture.GetAsync();
        using (var control = new TcpClient(AddressFamily.InterNetworkV6))
            await control.ConnectAsync(world.Host.AddressV6, 443).WaitAsync(TimeSpan.FromSeconds(2));

        await world.WithEgressAsync(async sandbox =>
        {
            // IPv6 is off inside: no address to send from, not merely no route (that would be ENETUNREACH).
            Assert.Equal("sandbox: tcp connect-failed EADDRNOTAVAIL|root: tcp connect-failed EADDRNOTAVAIL",
                await ProbeAsUsersAsync(world, sandbox, "tcp", world.Host.AddressV6.ToString(), 443));
        });
    }

    /// <summary>The probe's line for each of <see cref="Users"/>, as "user: line|user: line".</summary>
    private static async Task<string> ProbeAsUsersAsync(EgressWorld world, Sandbox sandbox, string mode, string target, int port = 0)
    {
        var lines = new List<string>();
        foreach (var user in Users)
        {
            var output = await world.Daemon.Client.RunAsync(sandbox.Id,
                ["/usr/bin/python3", "-", mode, target, port.ToString(CultureInfo.InvariantCulture)], ProbeScript, user);
            Assert.True(output.Exit.ExitCode == 0, output.Stderr);
            lines.Add($"{user}: {output.Stdout.TrimEnd('\n')}");
        }
        return string.Join('|', lines);
    }

    private static async Task AssertEchoesAsync(IPEndPoint target)
    {
        using var control = new UdpClient(AddressFamily.InterNetwork);
        await control.SendAsync("sbx-udp"u8.ToArray(), target);
        var echo = await control.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal("sbx-udp"u8.ToArray(), echo.Buffer);
    }

    private static async Task EchoAsync(UdpClient server, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                var got = await server.ReceiveAsync(stop);
                await server.SendAsync(got.Buffer, got.RemoteEndPoint, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
