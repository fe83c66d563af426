using System.Net;
using System.Net.Sockets;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>What a sandbox cannot reach through the real daemon, and what destroy leaves behind.
/// Probes are python3 sockets inside the sandbox; targets are the host's loopback (a listener
/// this test opened) and the test host of <see cref="EgressWorld"/>.</summary>
[Collection(EgressWorldCollection.Name)]
public sealed class NetworkIsolationDaemonTests(EgressWorldFixture fixture)
{
    private static string[] Connect(string address, int port) =>
        ["/usr/bin/python3", "-c", $"import socket; socket.create_connection(('{address}', {port}), timeout=2); print('connected')"];

    [RootFact]
    public async Task A_none_mode_sandbox_reaches_neither_host_loopback_nor_the_test_host()
    {
        var world = await fixture.GetAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sandbox = await world.Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            Assert.Equal("LOW", sandbox.Risk);
            var loopback = await world.Daemon.Client.RunAsync(sandbox.Id, Connect("127.0.0.1", port));
            Assert.NotEqual(0, loopback.Exit.ExitCode);
            Assert.Contains("ConnectionRefused", loopback.Stderr, StringComparison.Ordinal);
            Assert.False(listener.Pending(), "the host's loopback listener saw a connection");

            var outside = await world.Daemon.Client.RunAsync(sandbox.Id, Connect(world.Host.Address.ToString(), 443));
            Assert.NotEqual(0, outside.Exit.ExitCode);
            Assert.Contains("unreachable", outside.Stderr, StringComparison.Ordinal);

            var env = await world.Daemon.Client.RunAsync(sandbox.Id, ["/usr/bin/env"]);
            Assert.DoesNotContain("PROXY", env.Stdout, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task An_egress_sandbox_cannot_connect_directly_nor_reach_host_loopback()
    {
        var world = await fixture.GetAsync();
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var sandbox = await world.CreateEgressAsync();
        try
        {
            var direct = await world.Daemon.Client.RunAsync(sandbox.Id, Connect(world.Host.Address.ToString(), 443));
            Assert.NotEqual(0, direct.Exit.ExitCode);
            Assert.DoesNotContain("connected", direct.Stdout, StringComparison.Ordinal);

            // The host side of its own veth is the host: any port but the proxy's is dropped.
            var proxy = new Uri((await world.Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "echo $HTTP_PROXY"])).Stdout.Trim());
            var hostPort = await world.Daemon.Client.RunAsync(sandbox.Id, Connect(proxy.Host, port));
            Assert.NotEqual(0, hostPort.Exit.ExitCode);
            Assert.False(listener.Pending(), "a host listener saw a connection from the sandbox");
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Destroy_removes_the_sandbox_veth_and_its_firewall_chain()
    {
        var world = await fixture.GetAsync();
        var sandbox = await world.CreateEgressAsync();
        string iface;
        try
        {
            // Its veth is the host interface holding the proxy address it was given (a prepared
            // sandbox's chain existed before the create, so a before/after diff cannot find it).
            var proxy = (await world.Daemon.Client.RunAsync(sandbox.Id, ["/usr/bin/printenv", "HTTP_PROXY"])).Stdout.Trim();
            var address = new Uri(proxy).Host;
            iface = await HostInterfaceWithAsync(address);
            Assert.Matches("^sbx[0-9a-f]{8}h$", iface);
            Assert.Contains("in_" + iface, await world.ChainsAsync());
        }
        finally
        {
            Assert.True((await world.Daemon.Client.DestroyAsync(sandbox.Id)).Existed);
        }
        Assert.False(Directory.Exists($"/sys/class/net/{iface}"), $"{iface} left after destroy");
        Assert.DoesNotContain("in_" + iface, await world.ChainsAsync());
    }

    private static async Task<string> HostInterfaceWithAsync(string address)
    {
        var start = new System.Diagnostics.ProcessStartInfo("ip", "-o -4 addr show") { RedirectStandardOutput = true };
        using var ip = System.Diagnostics.Process.Start(start)!;
        var text = await ip.StandardOutput.ReadToEndAsync();
        await ip.WaitForExitAsync();
        var line = text.Split('\n').First(l => l.Contains($" {address}/", StringComparison.Ordinal));
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].Split('@')[0];
    }
}
