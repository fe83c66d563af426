using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Bench.Network;

/// <summary>What egress costs, through a real daemon: CONNECT latency and throughput via the
/// proxy against a direct connection from the host to the same test host, and egress create
/// against none create. Fixed counts keep the whole run under a minute.</summary>
public sealed class NetworkBench(string sandboxd)
{
    private const int Connects = 300;
    private const int Warmup = 90;
    private const int Transfers = 3;
    private const int Creates = 15;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Warm-up connects come in rounds with pauses between them, so both processes' .NET
    /// code reaches its optimised tier (call counting, then a background recompile after ~100 ms
    /// without new JIT work) before timing: a running daemon has long been past that, and timing
    /// the first-tier code measured the JIT, not the proxy.</summary>
    private const int WarmupRounds = 3;

    private static readonly TimeSpan TierUpPause = TimeSpan.FromMilliseconds(300);

    public async Task<NetworkResults> RunAsync()
    {
        using var host = BenchHost.Start();
        var dnsMap = Path.Combine(Path.GetTempPath(), host.Name + ".dnsmap");
        await File.WriteAllTextAsync(dnsMap, $"bench.test {host.Address}\n");
        try
        {
            using var daemon = BenchDaemon.Start(sandboxd, ["--dns-map", dnsMap, "--egress-table", host.Name, "--egress-pool", "10.216.0.0/24"]);
            using var client = daemon.Connect();
            var policy = new EgressPolicy
            {
                AllowDomains = { "bench.test" }, AllowCidrs = { host.Cidr },
                AllowPorts = { BenchHost.SinkPort, BenchHost.SourcePort }, MaxConnections = 4096,
            };
            var sandbox = await CreateAsync(client, policy);
            try
            {
                var proxy = await ProxyEndpointAsync(client, sandbox.Id);
                var netns = $"/proc/{sandbox.InitPid}/ns/net";
                var sockets = new Queue<Socket>(NetnsSockets.Make(netns, Connects + Warmup + Transfers, () =>
                    new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }));
                var direct = Time(Connects, () => Direct(host.Address, BenchHost.SinkPort));
                var proxied = Time(Connects, () => ViaProxy(sockets.Dequeue(), proxy, $"bench.test:{BenchHost.SinkPort}"));
                var directRate = await BestRateAsync(() => Direct(host.Address, BenchHost.SourcePort));
                var proxiedRate = await BestRateAsync(() => ViaProxy(sockets.Dequeue(), proxy, $"bench.test:{BenchHost.SourcePort}"));
                var none = await CreateCostAsync(client, null);
                var egress = await CreateCostAsync(client, policy);
                return new NetworkResults(direct, proxied, directRate, proxiedRate, none, egress);
            }
            finally
            {
                await client.DestroyAsync(sandbox.Id);
            }
        }
        finally
        {
            File.Delete(dnsMap);
        }
    }

    private static async Task<Sandbox> CreateAsync(SandboxesClient client, EgressPolicy? policy) =>
        await client.CreateAsync(policy is null ? new CreateRequest()
            : new CreateRequest { Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = policy } }, Deadline);

    /// <summary>The proxy address as the sandbox's commands see it (HTTP_PROXY).</summary>
    private static async Task<IPEndPoint> ProxyEndpointAsync(SandboxesClient client, string id)
    {
        var output = new StringBuilder();
        await foreach (var message in client.ExecuteAsync(new ExecuteRequest { SandboxId = id, Argv = { "/bin/sh", "-c", "echo $HTTP_PROXY" } }, Deadline))
            output.Append(message.Stdout.ToStringUtf8());
        var uri = new Uri(output.ToString().Trim());
        return new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
    }

    /// <summary>Blocking calls on both paths: the client's own async wake-ups (epoll thread, then
    /// a pool thread) are not the proxy's cost, and a C client in a sandbox would not pay them.</summary>
    private static Socket Direct(IPAddress address, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(address, port));
        return socket;
    }

    /// <summary>CONNECT through the proxy; done once the proxy's "200" head is read (the
    /// upstream connection is open by then). The head is peeked and then taken whole, so tunnel
    /// bytes a source server sends right behind it stay in the socket, and the client costs two
    /// receives rather than one per byte.</summary>
    private static Socket ViaProxy(Socket socket, IPEndPoint proxy, string target)
    {
        socket.Connect(proxy);
        socket.Send(Encoding.ASCII.GetBytes($"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n"));
        var head = new byte[512];
        int end;
        while (true)
        {
            var n = socket.Receive(head, SocketFlags.Peek);
            if (n == 0)
                throw new InvalidOperationException("proxy closed during CONNECT");
            end = head.AsSpan(0, n).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
                break;
            if (n == head.Length)
                throw new InvalidOperationException("CONNECT reply head too long");
        }
        var length = end + 4;
        for (var got = 0; got < length;)
            got += socket.Receive(head, got, length - got, SocketFlags.None);
        if (!head.AsSpan(0, length).StartsWith("HTTP/1.1 200"u8))
            throw new InvalidOperationException("CONNECT refused: " + Encoding.ASCII.GetString(head, 0, length));
        return socket;
    }

    private static Samples Time(int count, Func<Socket> connect)
    {
        for (var i = 0; i < Warmup; i++)
        {
            connect().Dispose();
            if ((i + 1) % (Warmup / WarmupRounds) == 0)
                Thread.Sleep(TierUpPause);
        }
        var times = new long[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var socket = connect();
            times[i] = (long)(Stopwatch.GetElapsedTime(start).TotalMicroseconds * 1000);
            socket.Dispose();
        }
        return new Samples(times);
    }

    /// <summary>MB/s of the best of a few transfers: the least disturbed run on a shared machine.</summary>
    private static async Task<double> BestRateAsync(Func<Socket> open)
    {
        double best = 0;
        var buffer = new byte[256 * 1024];
        for (var run = 0; run < Transfers; run++)
        {
            using var socket = open();
            var start = Stopwatch.GetTimestamp();
            long total = 0;
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                total += n;
            if (total != BenchHost.SourceBytes)
                throw new InvalidOperationException($"received {total} of {BenchHost.SourceBytes} bytes");
            best = Math.Max(best, total / 1048576.0 / Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return best;
    }

    /// <summary>Create alone (destroy untimed), 300 ms apart so the warm pool has refilled: both
    /// modes take a prepared sandbox, and the difference is the network's own cost.</summary>
    private static async Task<Samples> CreateCostAsync(SandboxesClient client, EgressPolicy? policy)
    {
        var times = new long[Creates];
        for (var i = 0; i < Creates; i++)
        {
            await Task.Delay(300);
            var start = Stopwatch.GetTimestamp();
            var sandbox = await CreateAsync(client, policy);
            times[i] = (long)(Stopwatch.GetElapsedTime(start).TotalMicroseconds * 1000);
            await client.DestroyAsync(sandbox.Id);
        }
        return new Samples(times);
    }
}
