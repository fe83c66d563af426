using System.Net.Sockets;
using System.Runtime.ExceptionServices;

namespace Sandboxd.Isolation.Network;

/// <summary>Relays bytes both ways between the sandbox and the destination, counting them against
/// the sandbox's budget. With an expected host, the first client bytes are inspected here: a TLS
/// ClientHello must name that host (or none), else the tunnel closes before anything is sent.
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
    /// read; an empty client (EOF) is left to the relay, which half-closes the upstream.</summary>
    private static async Task SendFirstBytesAsync(
        SandboxProxy proxy, Socket client, Socket upstream, ReadOnlyMemory<byte> initial, string? expectedHost,
        FirstBytes first, CancellationToken token)
    {
        var buffer = new byte[ClientHello.MaxRecord];
        initial.CopyTo(buffer);
        var filled = initial.Length;
        if (expectedHost is not null)
        {
            if (filled == 0)
                filled = await client.ReceiveAsync(buffer, SocketFlags.None, token);
            if (filled > 0 && buffer[0] == ClientHello.HandshakeRecord)
            {
                filled = await ReadRecordAsync(client, buffer, filled, token);
                first.DeniedBy = CheckSni(buffer.AsSpan(0, filled), expectedHost, first);
                if (first.DeniedBy is not null)
                    return;
            }
        }
        if (filled == 0)
            return;
        await upstream.SendAsync(buffer.AsMemory(0, filled), SocketFlags.None, token);
        first.Up = filled;
        if (!await proxy.Budget.ChargeAsync(filled, token))
            first.DeniedBy = "limit:total-bytes";
    }

    /// <summary>Reads until the first TLS record is complete (a record is at most 16 KiB + 5).</summary>
    internal static async Task<int> ReadRecordAsync(Socket client, byte[] buffer, int filled, CancellationToken token)
    {
        while (ClientHello.RecordLength(buffer.AsSpan(0, filled)) is var length && (length < 0 || length > filled)
               && filled < buffer.Length)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, token);
            if (n == 0)
                break;
            filled += n;
        }
        return filled;
    }

    private static string? CheckSni(ReadOnlySpan<byte> data, string expectedHost, FirstBytes first)
    {
        var length = ClientHello.RecordLength(data);
        if (length < 0 || length > data.Length || !ClientHello.TryReadSni(data[..length], out var sni))
            return "tls-malformed-client-hello";
        first.Sni = sni;
        if (sni is null)
            return null;
        return string.Equals(HostName.Normalize(sni), expectedHost, StringComparison.Ordinal) ? null : "sni-mismatch";
    }

    private sealed class FirstBytes
    {
        public long Up { get; set; }

        public string? Sni { get; set; }

        public string? DeniedBy { get; set; }

        public bool Failed { get; set; }
    }
}
