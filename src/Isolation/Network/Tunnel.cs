using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>Relays bytes both ways between the sandbox and the destination, counting them against
/// the sandbox's byte limit. With an expected host, the first client bytes are inspected: a TLS
/// ClientHello must name that host (or none), else the tunnel closes before anything is sent.</summary>
internal static class Tunnel
{
    private const int ChunkSize = 64 * 1024;

    public static async Task<TunnelResult> RunAsync(
        SandboxProxy proxy, Socket client, Socket upstream, ReadOnlyMemory<byte> initial, string? expectedHost,
        CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var state = new State();
        var up = Guard(cts, () => UpAsync(proxy, client, upstream, initial, expectedHost, state, cts));
        var down = Guard(cts, () => CopyAsync(proxy, upstream, client, state, cts, upward: false));
        await Task.WhenAll(up, down);
        return new TunnelResult(state.Up, state.Down, state.Sni, state.DeniedBy);
    }

    private static async Task UpAsync(
        SandboxProxy proxy, Socket client, Socket upstream, ReadOnlyMemory<byte> initial, string? expectedHost,
        State state, CancellationTokenSource cts)
    {
        var token = cts.Token;
        if (expectedHost is not null || !initial.IsEmpty)
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
                    var deny = CheckSni(buffer.AsSpan(0, filled), expectedHost, state);
                    if (deny is not null)
                    {
                        state.DeniedBy = deny;
                        throw new OperationCanceledException(deny);
                    }
                }
            }
            if (filled == 0)
            {
                upstream.Shutdown(SocketShutdown.Send);
                return;
            }
            await upstream.SendAsync(buffer.AsMemory(0, filled), SocketFlags.None, token);
            state.Up += filled;
            if (!proxy.AddBytes(filled))
            {
                state.DeniedBy = "limit:total-bytes";
                throw new OperationCanceledException(state.DeniedBy);
            }
        }
        await CopyAsync(proxy, client, upstream, state, cts, upward: true);
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

    private static string? CheckSni(ReadOnlySpan<byte> data, string expectedHost, State state)
    {
        var length = ClientHello.RecordLength(data);
        if (length < 0 || length > data.Length || !ClientHello.TryReadSni(data[..length], out var sni))
            return "tls-malformed-client-hello";
        state.Sni = sni;
        if (sni is null)
            return null;
        return string.Equals(HostName.Normalize(sni), expectedHost, StringComparison.Ordinal) ? null : "sni-mismatch";
    }

    private static async Task CopyAsync(
        SandboxProxy proxy, Socket from, Socket to, State state, CancellationTokenSource cts, bool upward)
    {
        var buffer = new byte[ChunkSize];
        while (true)
        {
            var n = await from.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            if (n == 0)
                break;
            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cts.Token);
            if (upward)
                state.Up += n;
            else
                state.Down += n;
            if (!proxy.AddBytes(n))
            {
                state.DeniedBy = "limit:total-bytes";
                await cts.CancelAsync();
                return;
            }
        }
        // Half-close: the other direction may still be answering.
        to.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Any failure in one direction ends both: a broken tunnel must not linger half-open.</summary>
    private static async Task Guard(CancellationTokenSource cts, Func<Task> direction)
    {
        try
        {
            await direction();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            await cts.CancelAsync();
        }
    }

    private sealed class State
    {
        public long Up { get; set; }

        public long Down { get; set; }

        public string? Sni { get; set; }

        public string? DeniedBy { get; set; }
    }
}
