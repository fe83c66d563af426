using System.Net.Sockets;
using System.Runtime.ExceptionServices;

namespace Sandboxd.Isolation.Network;

/// <summary>Relays bytes both ways between the sandbox and the destination, counting them against
/// the sandbox's budget. With an expected host, the first client bytes are inspected here: a TLS
/// ClientHello must name that host (see <see cref="SniRule"/>), else the tunnel closes before
/// the hello is sent.
/// Everything after that is moved by the native splice relay, which is already answering the
/// upstream's bytes while the client's are inspected.</summary>
internal static class Tunnel
{
    public static async Task<TunnelResult> RunAsync(
        SandboxProxy proxy, Socket client, Socket upstream, ReadOnlyMemory<byte> initial, string? expectedHost,
        CancellationToken cancellationToken)
    {
        // The reply is out: what follows (relay setup, perhaps a new relay thread) must not hold
        // up the accept thread, which may have run this session so far.
        await Task.Yield();
        var inspect = expectedHost is not null || !initial.IsEmpty;
        using var relay = NativeRelay.Start(client, upstream, proxy.Budget, holdUp: inspect, out var completion);
        using var stop = cancellationToken.Register(relay.Stop);
        var first = new FirstBytes();
        ExceptionDispatchInfo? unexpected = null;
        try
        {
            if (inspect)
                await SendFirstBytesAsync(proxy, client, upstream, initial, expectedHost, first, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Any failure in one direction ends both: a broken tunnel must not linger half-open.
            first.Failed = true;
        }
        catch (Exception e)
        {
            // Rethrown only once the relay has let go of the sockets.
            unexpected = ExceptionDispatchInfo.Capture(e);
        }
        if (first.Failed || first.DeniedBy is not null || unexpected is not null)
            relay.Stop();
        else
            relay.Release();
        var outcome = await completion;
        unexpected?.Throw();
        var deniedBy = first.DeniedBy ?? (outcome.OverTotal ? "limit:total-bytes" : null);
        return new TunnelResult(first.Up + outcome.Up, outcome.Down, first.Sni, deniedBy);
    }

    /// <summary>Reads and checks the ClientHello (when a host is expected), then forwards what was
    /// read; an empty client (EOF) is left to the relay, which half-closes the upstream. The first
    /// hello goes on once judged (the server must answer it before a second one can come); a
    /// second hello, if the client's records show one, is judged before it goes.</summary>
    private static async Task SendFirstBytesAsync(
        SandboxProxy proxy, Socket client, Socket upstream, ReadOnlyMemory<byte> initial, string? expectedHost,
        FirstBytes first, CancellationToken token)
    {
        using var reader = new ClientHelloReader(client, initial.Span);
        if (expectedHost is not null)
        {
            // No deadline yet: in a server-speaks-first protocol the client waits for the server.
            if (reader.Filled == 0)
                await reader.ReceiveAsync(token);
            if (reader.StartsWithHandshake)
            {
                var deadline = proxy.Options.HeadTimeout;
                var hello = await reader.ReadHelloAsync(0, deadline, token);
                first.Sni = hello.Hello?.Sni;
                if ((first.DeniedBy = SniRule.Refusal(hello, expectedHost, retry: false)) is not null)
                    return;
                if (!await ForwardAsync(proxy, upstream, reader, hello.End, first, token))
                    return;
                if (hello.Hello!.Value.OffersTls13 && await reader.ReadRetryHelloAsync(deadline, token) is { } retry)
                {
                    first.DeniedBy = SniRule.Refusal(retry, expectedHost, retry: true);
                    if (first.DeniedBy is not null)
                    {
                        first.Sni = retry.Hello?.Sni ?? first.Sni;
                        return;
                    }
                }
            }
        }
        await ForwardAsync(proxy, upstream, reader, reader.Filled, first, token);
    }

    /// <summary>Sends the first <paramref name="count"/> held bytes on and charges them; false once
    /// the total-bytes limit is passed.</summary>
    private static async Task<bool> ForwardAsync(SandboxProxy proxy, Socket upstream, ClientHelloReader reader, int count,
        FirstBytes first, CancellationToken token)
    {
        if (count == 0)
            return true;
        await upstream.SendAsync(reader.Held[..count], SocketFlags.None, token);
        reader.Consume(count);
        first.Up += count;
        if (await proxy.Budget.ChargeAsync(count, token))
            return true;
        first.DeniedBy = "limit:total-bytes";
        return false;
    }

    private sealed class FirstBytes
    {
        public long Up { get; set; }

        public string? Sni { get; set; }

        public string? DeniedBy { get; set; }

        public bool Failed { get; set; }
    }
}
