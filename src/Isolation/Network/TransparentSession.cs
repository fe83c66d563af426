using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>A connection the firewall redirected (nft `redirect`) from a program that ignored the
/// proxy variables. The name comes from the TLS SNI or the HTTP Host header; without either, the
/// originally dialled address is judged as an IP literal (so only allowed CIDRs pass). A named
/// destination is resolved by the proxy, never taken from the dialled address.</summary>
internal sealed class TransparentSession(SandboxProxy proxy, Socket client)
{
    private const int SolIp = 0;
    private const int SoOriginalDst = 80;

    private readonly long _start = proxy.Options.Time.GetTimestamp();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var original = OriginalDestination();
        if (original is null)
        {
            proxy.Record("transparent", "", null, 0, null, PolicyVerdict.Deny("no-original-destination"), 0, 0, _start);
            return;
        }
        var buffer = new byte[RequestHead.MaxSize];
        var filled = await ReadFirstAsync(buffer, cancellationToken);
        if (filled > 0 && buffer[0] == TlsRecords.Handshake)
        {
            await RelayTlsAsync(original, buffer.AsMemory(0, filled), cancellationToken);
            return;
        }
        var headEnd = RequestHead.FindEnd(buffer.AsSpan(0, filled));
        if (filled > 0 && headEnd < 0 && LooksLikeHttp(buffer.AsSpan(0, filled)))
            (filled, headEnd) = await ReadHeadAsync(buffer, filled, cancellationToken);
        var head = headEnd > 0 ? RequestHead.Parse(buffer.AsSpan(0, headEnd)) : null;
        if (head is not null)
        {
            await new PlainHttpForwarder(new ProxySession(proxy, client), proxy, client, "transparent-http")
                .RunTransparentAsync(head, original.Port, buffer.AsMemory(headEnd, filled - headEnd), cancellationToken);
            return;
        }
        await RelayAsync("transparent-tcp", original.Address.ToString(), original.Port, null, buffer.AsMemory(0, filled),
            cancellationToken);
    }

    /// <summary>The name is the ClientHello's, put together across records first; without one the
    /// dialled address is judged, and a second hello after a retry must then name nothing either.</summary>
    private async Task RelayTlsAsync(IPEndPoint original, ReadOnlyMemory<byte> first, CancellationToken cancellationToken)
    {
        using var reader = new ClientHelloReader(client, first.Span);
        var read = await reader.ReadHelloAsync(0, proxy.Options.HeadTimeout, cancellationToken);
        if (read is not { Status: HandshakeStatus.Complete, Hello: { } hello })
        {
            var refusal = SniRule.Refusal(read, "", retry: false)!;
            proxy.Record("transparent-tls", original.Address.ToString(), original.Address, original.Port, null,
                PolicyVerdict.Deny(refusal), 0, 0, _start);
            return;
        }
        var host = hello.Sni ?? original.Address.ToString();
        // A name HostName refuses is refused by the policy before any tunnel, so "" never stands for one.
        var expectedSni = hello.Sni is null ? "" : HostName.Normalize(hello.Sni) ?? "";
        await RelayAsync("transparent-tls", host, original.Port, hello.Sni, reader.Held, cancellationToken, expectedSni);
    }

    private async Task RelayAsync(string protocol, string host, int port, string? sni, ReadOnlyMemory<byte> initial,
        CancellationToken cancellationToken, string? expectedSni = null)
    {
        var destination = await proxy.DecideAsync(host, port, cancellationToken);
        if (!destination.Verdict.Allowed)
        {
            proxy.Record(protocol, host, destination.Address, port, sni, destination.Verdict, 0, 0, _start);
            return;
        }
        var (upstream, failure) = await proxy.OpenUpstreamAsync(destination.Address!, port, cancellationToken);
        if (upstream is null)
        {
            proxy.Record(protocol, host, destination.Address, port, sni, PolicyVerdict.Deny(failure!), 0, 0, _start);
            return;
        }
        using (upstream)
        {
            var result = await Tunnel.RunAsync(proxy, client, upstream, initial, expectedSni, cancellationToken);
            var verdict = result.DeniedBy is { } rule ? PolicyVerdict.Deny(rule) : destination.Verdict;
            proxy.Record(protocol, host, destination.Address, port, result.Sni ?? sni, verdict, result.BytesUp, result.BytesDown,
                _start);
        }
    }

    /// <summary>The first bytes; a server-speaks-first protocol sends none, which is fine: it is
    /// then judged by the dialled address alone.</summary>
    private async Task<int> ReadFirstAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            return await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    private async Task<(int Filled, int HeadEnd)> ReadHeadAsync(byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(proxy.Options.HeadTimeout);
        while (filled < RequestHead.MaxSize)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(filled, RequestHead.MaxSize - filled), SocketFlags.None,
                timeout.Token);
            if (n == 0)
                break;
            filled += n;
            var end = RequestHead.FindEnd(buffer.AsSpan(0, filled));
            if (end > 0)
                return (filled, end);
        }
        return (filled, -1);
    }

    /// <summary>An uppercase token then a space: how every HTTP/1 request line starts.</summary>
    private static bool LooksLikeHttp(ReadOnlySpan<byte> data)
    {
        var space = data.IndexOf((byte)' ');
        return space > 0 && !data[..space].ContainsAnyExceptInRange((byte)'A', (byte)'Z');
    }

    /// <summary>Where the sandbox dialled, from conntrack (SO_ORIGINAL_DST); null when the
    /// connection was not redirected (someone dialled the transparent port itself).</summary>
    private IPEndPoint? OriginalDestination()
    {
        Span<byte> address = stackalloc byte[16];
        try
        {
            if (client.GetRawSocketOption(SolIp, SoOriginalDst, address) < 8)
                return null;
        }
        catch (SocketException)
        {
            return null;
        }
        var port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
        var ip = new IPAddress(address.Slice(4, 4));
        var local = (IPEndPoint)client.LocalEndPoint!;
        return ip.Equals(local.Address) && port == local.Port ? null : new IPEndPoint(ip, port);
    }
}
