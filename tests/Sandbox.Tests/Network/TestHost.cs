using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Tests.Network;

/// <summary>An "internet" host the test owns: a netns (sbxt…) joined to the host by a veth, with
/// 10.214.x.2 and an fd.. IPv6 address inside. Servers listen inside it; every address involved
/// was assigned here, so no test traffic can leave the machine.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly CancellationTokenSource _stop = new();

    private TestHost(string name, int block)
    {
        Name = name;
        Cidr = $"10.214.{block}.0/30";
        HostSide = IPAddress.Parse($"10.214.{block}.1");
        Address = IPAddress.Parse($"10.214.{block}.2");
        AddressV6 = IPAddress.Parse($"fd21:4:{block:x}::2");
    }

    public string Name { get; }

    public string Interface => Name + "h";

    public string NetnsPath => $"/run/netns/{Name}";

    /// <summary>The host end of the veth.</summary>
    public IPAddress HostSide { get; }

    /// <summary>The test host's own address, where its servers listen.</summary>
    public IPAddress Address { get; }

    public IPAddress AddressV6 { get; }

    /// <summary>The veth's /30: what a policy must allow for names resolving here to pass.</summary>
    public string Cidr { get; }

    public CancellationToken Stopping => _stop.Token;

    public static async Task<TestHost> StartAsync(string name, int block)
    {
        var host = new TestHost(name, block);
        try
        {
            await Shell.CheckAsync("ip", "netns", "add", name);
            await Shell.CheckAsync("ip", "link", "add", host.Interface, "type", "veth", "peer", "name", name + "p");
            await Shell.CheckAsync("ip", "link", "set", name + "p", "netns", name);
            await Shell.CheckAsync("ip", "addr", "add", $"{host.HostSide}/30", "dev", host.Interface);
            await Shell.CheckAsync("ip", "-6", "addr", "add", $"fd21:4:{block:x}::1/64", "dev", host.Interface, "nodad");
            await Shell.CheckAsync("ip", "link", "set", host.Interface, "up");
            await Shell.CheckAsync("ip", "-n", name, "link", "set", name + "p", "name", "eth0");
            await Shell.CheckAsync("ip", "-n", name, "addr", "add", $"{host.Address}/30", "dev", "eth0");
            await Shell.CheckAsync("ip", "-n", name, "-6", "addr", "add", $"{host.AddressV6}/64", "dev", "eth0", "nodad");
            await Shell.CheckAsync("ip", "-n", name, "link", "set", "eth0", "up");
            await Shell.CheckAsync("ip", "-n", name, "link", "set", "lo", "up");
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>Listens inside the test host and hands each connection to <paramref name="serve"/>.</summary>
    public void ServeTcp(int port, Func<Socket, CancellationToken, Task> serve, IPAddress? address = null)
    {
        var bind = new IPEndPoint(address ?? IPAddress.IPv6Any, port);
        var listener = NetnsThread.Run(NetnsPath, () =>
        {
            var socket = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (bind.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = true;
            socket.Bind(bind);
            socket.Listen(64);
            return socket;
        });
        _owned.Add(listener);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await serve(client, _stop.Token);
                        }
                        catch (Exception)
                        {
                            // A client that vanished mid-request is part of what these tests do.
                        }
                    }
                });
            }
        });
    }

    /// <summary>A UDP echo server inside the test host (the "DNS server" a sandbox must not reach).</summary>
    public void ServeUdpEcho(int port)
    {
        var socket = NetnsThread.Run(NetnsPath, () =>
        {
            var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
            s.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            return s;
        });
        _owned.Add(socket);
        _ = Task.Run(async () =>
        {
            var buffer = new byte[1500];
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var got = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.IPv6Any, 0), _stop.Token);
                    await socket.SendToAsync(buffer.AsMemory(0, got.ReceivedBytes), got.RemoteEndPoint, _stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var owned in _owned)
            owned.Dispose();
        await Shell.TryAsync("ip", "link", "del", Interface);
        await Shell.TryAsync("ip", "netns", "del", Name);
        _stop.Dispose();
    }
}
