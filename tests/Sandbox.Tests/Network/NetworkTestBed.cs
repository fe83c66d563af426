using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Sandboxd.Isolation.Network;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>One test's world: a test host with HTTP(S) and UDP servers, a fake sandbox attached in
/// egress mode (own nft table, own address block), and the events. Dispose tears all of it down
/// and then proves nothing named after this test is left.</summary>
internal sealed class NetworkTestBed : IAsyncDisposable
{
    private NetworkTestBed(string tag, int block, TestHost host, FakeSandbox sandbox, EgressNetwork network,
        IEgressAttachment attachment, EventLog events)
    {
        Tag = tag;
        Block = block;
        Host = host;
        Sandbox = sandbox;
        Network = network;
        Attachment = attachment;
        Events = events;
    }

    public string Tag { get; }

    public int Block { get; }

    public TestHost Host { get; }

    public FakeSandbox Sandbox { get; }

    public EgressNetwork Network { get; }

    public IEgressAttachment Attachment { get; }

    public EventLog Events { get; }

    /// <summary>Only allowed.test:443 (and the test host's /30, so the name's private address passes).</summary>
    public EgressPolicy Policy => PolicyFor(Host);

    /// <summary>The bed's policy with one more allowed port, for a test's own server on the host.</summary>
    public EgressPolicy PolicyAllowing(int port) => Policy with { AllowedPorts = [443, port] };

    public static EgressPolicy PolicyFor(TestHost host) => new()
    {
        AllowedDomains = ["allowed.test", "loopback.test", "private.test"],
        DeniedDomains = ["denied.test"],
        AllowedCidrs = [host.Cidr],
        AllowedPorts = [443],
    };

    /// <param name="names">More names for the bed's resolver, beside the fixed ones.</param>
    /// <param name="headTimeout">The proxy's head (and ClientHello) deadline, when not its default.</param>
    public static async Task<NetworkTestBed> StartAsync(bool transparent = false,
        IReadOnlyDictionary<string, IPAddress[]>? names = null, TimeSpan? headTimeout = null)
    {
        var tag = "sbxt" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var block = RandomNumberGenerator.GetInt32(1, 255);
        var events = new EventLog();
        TestHost? host = null;
        FakeSandbox? sandbox = null;
        EgressNetwork? network = null;
        try
        {
            host = await TestHost.StartAsync(tag, block);
            host.ServeTcp(80, TestServers.HttpAsync);
            host.ServeTcp(443, TestServers.HttpsAsync);
            host.ServeUdpEcho(53);
            sandbox = await FakeSandbox.StartAsync();
            var map = new Dictionary<string, IPAddress[]>
            {
                ["allowed.test"] = [host.Address],
                ["denied.test"] = [host.Address],
                ["loopback.test"] = [IPAddress.Loopback],
                ["private.test"] = [IPAddress.Parse("10.99.0.1")],
            };
            foreach (var (name, addresses) in names ?? new Dictionary<string, IPAddress[]>())
                map[name] = addresses;
            var resolver = new StaticDnsResolver(map);
            network = new EgressNetwork(new EgressOptions
            {
                AddressPool = $"10.213.{block}.0/24",
                NftTable = tag,
                Events = events,
                Resolver = resolver,
                ConnectTimeout = TimeSpan.FromSeconds(2),
                HeadTimeout = headTimeout ?? TimeSpan.FromSeconds(15),
            });
            var attachment = await network.AttachAsync("sb-" + tag, sandbox.Pid, PolicyFor(host), transparent);
            return new NetworkTestBed(tag, block, host, sandbox, network, attachment, events);
        }
        catch
        {
            if (network is not null)
                await network.DisposeAsync();
            sandbox?.Dispose();
            if (host is not null)
                await host.DisposeAsync();
            await AssertNoLeaksAsync(tag, block);
            throw;
        }
    }

    /// <summary>Sends CONNECT from inside the sandbox; returns the socket and the status code.</summary>
    /// <param name="socket">A socket already made inside the sandbox, or null to make one.</param>
    public async Task<(Socket Socket, int Status, string Head)> ConnectAsync(string target, Socket? socket = null)
    {
        socket ??= Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Attachment.ProxyEndpoint).WaitAsync(TimeSpan.FromSeconds(5));
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n"));
        var head = await ReadHeadAsync(socket);
        return (socket, int.Parse(head[9..12], System.Globalization.CultureInfo.InvariantCulture), head);
    }

    /// <summary>Opens a SOCKS5 tunnel (name address type) from inside the sandbox; returns the socket
    /// and the reply code (0: succeeded).</summary>
    public async Task<(Socket Socket, int Reply)> Socks5ConnectAsync(string host, int port)
    {
        var socket = Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Attachment.ProxyEndpoint).WaitAsync(TimeSpan.FromSeconds(5));
        var name = Encoding.ASCII.GetBytes(host);
        await socket.SendAsync(new byte[] { 5, 1, 0 });
        await socket.SendAsync((byte[])[5, 1, 0, 3, (byte)name.Length, .. name, (byte)(port >> 8), (byte)port]);
        var reply = new byte[12];
        var got = 0;
        using var cts = new CancellationTokenSource(5000);
        while (got < 12)
        {
            var n = await socket.ReceiveAsync(reply.AsMemory(got, 12 - got), SocketFlags.None, cts.Token);
            if (n == 0)
                break;
            got += n;
        }
        return (socket, got == 12 ? reply[3] : -1);
    }

    /// <summary>Sends a raw plain-HTTP proxy request from inside the sandbox; returns the whole reply.</summary>
    public async Task<string> PlainHttpAsync(string request)
    {
        using var socket = Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Attachment.ProxyEndpoint).WaitAsync(TimeSpan.FromSeconds(5));
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>Reads until the other side's EOF; returns how many bytes came. Bounded by a
    /// minute besides the caller's token, so a relay that never closes fails the test, not CI.</summary>
    public static async Task<long> ReceiveAllAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromMinutes(1));
        var buffer = new byte[256 * 1024];
        long total = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, bounded.Token)) > 0)
            total += n;
        return total;
    }

    /// <summary>Reads exactly the proxy's reply head: peeks until the blank line is in, then takes
    /// only that much, so tunnel bytes a server sends first stay in the socket.</summary>
    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(5000);
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.Peek, cts.Token);
            var end = buffer.AsSpan(0, n).IndexOf("\r\n\r\n"u8);
            if (end >= 0 || n == 0 || n == buffer.Length)
            {
                var length = end >= 0 ? end + 4 : n;
                var got = 0;
                while (got < length)
                    got += await socket.ReceiveAsync(buffer.AsMemory(got, length - got), SocketFlags.None, cts.Token);
                return Encoding.Latin1.GetString(buffer, 0, length);
            }
            await Task.Delay(1, cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Attachment.DisposeAsync();
            await Network.DisposeAsync();
        }
        finally
        {
            Sandbox.Dispose();
            await Host.DisposeAsync();
        }
        Assert.False(Directory.Exists($"/sys/class/net/{Attachment.HostInterface}"), "sandbox veth left behind");
        await AssertNoLeaksAsync(Tag, Block);
    }

    /// <summary>No netns, link, nft table or address of this test may outlive it.</summary>
    public static async Task AssertNoLeaksAsync(string tag, int block)
    {
        Assert.DoesNotContain(tag, await Shell.CheckAsync("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.DoesNotContain(tag, await Shell.CheckAsync("ip", "-o", "link"), StringComparison.Ordinal);
        Assert.DoesNotContain(tag, await Shell.CheckAsync("nft", "list", "tables"), StringComparison.Ordinal);
        Assert.DoesNotContain($"10.213.{block}.", await Shell.CheckAsync("ip", "-o", "addr"), StringComparison.Ordinal);
        Assert.DoesNotContain($"10.214.{block}.", await Shell.CheckAsync("ip", "-o", "addr"), StringComparison.Ordinal);
    }
}
