using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Sandboxd.Bench.Network;

/// <summary>The bench's "internet": a netns (sbxb…) of its own joined to the host by a veth on
/// 10.215.N.0/30, with a sink server (accepts, holds until the client closes) and a source server
/// (sends <see cref="SourceBytes"/> then closes). Removed on dispose; no traffic leaves the host.</summary>
internal sealed class BenchHost : IDisposable
{
    public const int SinkPort = 7001;
    public const int SourcePort = 7002;
    public const long SourceBytes = 256L << 20;

    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();

    private BenchHost(string name, int block)
    {
        Name = name;
        Address = IPAddress.Parse($"10.215.{block}.2");
        Cidr = $"10.215.{block}.0/30";
    }

    public string Name { get; }

    public IPAddress Address { get; }

    public string Cidr { get; }

    public static BenchHost Start()
    {
        var block = RandomNumberGenerator.GetInt32(1, 255);
        var host = new BenchHost("sbxb" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)), block);
        try
        {
            var n = host.Name;
            Ip("netns", "add", n);
            Ip("link", "add", n + "h", "type", "veth", "peer", "name", n + "p");
            Ip("link", "set", n + "p", "netns", n);
            Ip("addr", "add", $"10.215.{block}.1/30", "dev", n + "h");
            Ip("link", "set", n + "h", "up");
            Ip("-n", n, "addr", "add", $"{host.Address}/30", "dev", n + "p");
            Ip("-n", n, "link", "set", n + "p", "up");
            Ip("-n", n, "link", "set", "lo", "up");
            host.Serve(SinkPort, SinkAsync);
            host.Serve(SourcePort, SourceAsync);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private void Serve(int port, Func<Socket, CancellationToken, Task> serve)
    {
        var listener = NetnsSockets.Make($"/run/netns/{Name}", 1, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Any, port));
            s.Listen(1024);
            return s;
        })[0];
        _listeners.Add(listener);
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
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
                        catch (Exception e) when (e is SocketException or OperationCanceledException)
                        {
                            // The client going away is how every connection here ends.
                        }
                    }
                });
            }
        });
    }

    private static async Task SinkAsync(Socket socket, CancellationToken cancel)
    {
        var buffer = new byte[4096];
        while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancel) > 0)
        {
        }
    }

    private static async Task SourceAsync(Socket socket, CancellationToken cancel)
    {
        var chunk = new byte[1 << 20];
        for (long sent = 0; sent < SourceBytes; sent += chunk.Length)
            await socket.SendAsync(chunk, SocketFlags.None, cancel);
        socket.Shutdown(SocketShutdown.Send);
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var listener in _listeners)
            listener.Dispose();
        Ip(check: false, "link", "del", Name + "h");
        Ip(check: false, "netns", "del", Name);
        _stop.Dispose();
    }

    private static void Ip(params string[] args) => Ip(check: true, args);

    private static void Ip(bool check, params string[] args)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error}");
    }
}
