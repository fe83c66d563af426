using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxd.Isolation.Network;

/// <summary>One client connection: reads the request head, decides, and either refuses with a
/// status and an event or relays (CONNECT tunnel or one plain-HTTP request).</summary>
internal sealed class ProxySession(SandboxProxy proxy, Socket client)
{
    private readonly long _start = proxy.Options.Time.GetTimestamp();
    private readonly byte[] _buffer = new byte[RequestHead.MaxSize];
    private int _filled;

    public async Task RunAsync(bool overConnectionLimit, CancellationToken cancellationToken)
    {
        if (overConnectionLimit || proxy.OverByteLimit)
        {
            var rule = overConnectionLimit ? "limit:connections" : "limit:total-bytes";
            await RefuseAsync(429, "http", "", null, 0, PolicyVerdict.Deny(rule), cancellationToken);
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(proxy.Options.HeadTimeout);
        // The head is usually in already (the listener defers accept until it is): taken with a
        // plain read, the socket's first asynchronous operation (its switch to non-blocking and
        // epoll setup) happens after the reply, off the path the client waits on.
        _filled = client.Available > 0
            ? client.Receive(_buffer, SocketFlags.None)
            : await client.ReceiveAsync(_buffer, SocketFlags.None, timeout.Token);
        if (_filled > 0 && _buffer[0] == Socks5Session.Version)
        {
            await new Socks5Session(proxy, client, _buffer.AsMemory(0, _filled), _start).RunAsync(timeout.Token,
                cancellationToken);
            return;
        }
        var headEnd = await ReadHeadAsync(timeout.Token);
        var head = headEnd > 0 ? RequestHead.Parse(_buffer.AsSpan(0, headEnd)) : null;
        if (head is null)
        {
            if (_filled > 0)
                await RefuseAsync(400, "http", "", null, 0, PolicyVerdict.Deny("malformed-request"), cancellationToken);
            return;
        }
        var leftover = _buffer.AsMemory(headEnd, _filled - headEnd);
        if (string.Equals(head.Method, "CONNECT", StringComparison.Ordinal))
            await ConnectAsync(head, leftover, cancellationToken);
        else
            await new PlainHttpForwarder(this, proxy, client).RunAsync(head, leftover, cancellationToken);
    }

    private async Task<int> ReadHeadAsync(CancellationToken timeout)
    {
        while (_filled > 0)
        {
            var end = RequestHead.FindEnd(_buffer.AsSpan(0, _filled));
            if (end > 0)
                return end;
            if (_filled == _buffer.Length)
                break;
            var n = await client.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, timeout);
            if (n == 0)
                break;
            _filled += n;
        }
        return -1;
    }

    private async Task ConnectAsync(RequestHead head, ReadOnlyMemory<byte> leftover, CancellationToken cancellationToken)
    {
        if (!Authority.TryParse(head.Target, defaultPort: -1, out var target) || target.Port < 0)
        {
            await RefuseAsync(400, "connect", head.Target, null, 0, PolicyVerdict.Deny("malformed-target"), cancellationToken);
            return;
        }
        var destination = await proxy.DecideAsync(target.Host, target.Port, cancellationToken);
        if (!destination.Verdict.Allowed)
        {
            await RefuseAsync(403, "connect", target.Host, destination.Address, target.Port, destination.Verdict,
                cancellationToken);
            return;
        }
        using var upstream = await OpenUpstreamAsync("connect", target, destination, cancellationToken);
        if (upstream is null)
            return;
        // A fresh connection's send buffer always takes these few bytes, so this never blocks.
        client.Send("HTTP/1.1 200 Connection established\r\n\r\n"u8);
        var expectedSni = IPAddress.TryParse(target.Host, out _) ? "" : HostName.Normalize(target.Host);
        var result = await Tunnel.RunAsync(proxy, client, upstream, leftover, expectedSni, cancellationToken);
        var verdict = result.DeniedBy is { } rule ? PolicyVerdict.Deny(rule) : destination.Verdict;
        proxy.Record("connect", target.Host, destination.Address, target.Port, result.Sni, verdict, result.BytesUp,
            result.BytesDown, _start);
    }

    /// <summary>Connects to the checked address; on failure answers 502/504 and records the attempt.</summary>
    public async Task<Socket?> OpenUpstreamAsync(string protocol, Authority target, Destination destination,
        CancellationToken cancellationToken)
    {
        var (upstream, failure) = await proxy.OpenUpstreamAsync(destination.Address!, target.Port, cancellationToken);
        if (failure is not null)
        {
            await RefuseAsync(failure == SandboxProxy.UpstreamTimeout ? 504 : 502, protocol, target.Host,
                destination.Address, target.Port, PolicyVerdict.Deny(failure), cancellationToken);
        }
        return upstream;
    }

    /// <summary>Answers with a status whose body and X-Sandboxd-Denied header name the rule, and
    /// records the denial.</summary>
    public async Task RefuseAsync(int status, string protocol, string destination, IPAddress? address, int port,
        PolicyVerdict verdict, CancellationToken cancellationToken)
    {
        proxy.Record(protocol, destination, address, port, null, verdict, 0, 0, _start);
        var body = $"sandboxd egress proxy: denied by {verdict.Rule}\n";
        var reason = status switch
        {
            400 => "Bad Request",
            403 => "Forbidden",
            429 => "Too Many Requests",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            _ => "Gateway Timeout",
        };
        var response = $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nConnection: close\r\n" +
                       $"X-Sandboxd-Denied: {verdict.Rule}\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        try
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None, cancellationToken);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The client left first; the event is already recorded.
        }
    }
}
