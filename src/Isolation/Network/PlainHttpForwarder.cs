using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Sandboxd.Isolation.Network;

/// <summary>Forwards one plain http:// request. The absolute URI's authority and the Host header
/// must name the same host:port (a server routes on Host, the policy checks the URI), only a
/// Content-Length body is relayed, and the upstream connection is closed after one response, so
/// a second request can never ride on an already-approved connection.</summary>
internal sealed class PlainHttpForwarder(ProxySession session, SandboxProxy proxy, Socket client, string protocol = "http")
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Upgrade",
    };

    private readonly long _start = proxy.Options.Time.GetTimestamp();

    public async Task RunAsync(RequestHead head, ReadOnlyMemory<byte> leftover, CancellationToken cancellationToken)
    {
        const string scheme = "http://";
        if (!head.Target.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            await Refuse(400, head.Target, default, "not-an-absolute-http-uri", cancellationToken);
            return;
        }
        var rest = head.Target[scheme.Length..];
        var pathStart = rest.IndexOfAny(['/', '?']);
        var authorityText = pathStart < 0 ? rest : rest[..pathStart];
        var path = pathStart < 0 ? "/" : rest[pathStart..];
        if (path.StartsWith('?'))
            path = "/" + path;
        if (authorityText.Contains('@', StringComparison.Ordinal)
            || !Authority.TryParse(authorityText, 80, out var target))
        {
            await Refuse(400, authorityText, default, "malformed-uri", cancellationToken);
            return;
        }
        var hosts = head.Values("Host").ToList();
        if (hosts.Count != 1 || !Authority.TryParse(hosts[0], 80, out var hostHeader) || hostHeader != target)
        {
            await Refuse(403, target.Host, target, "host-header-mismatch", cancellationToken);
            return;
        }
        await ForwardAsync(head, target, path, leftover, cancellationToken);
    }

    /// <summary>A request that arrived through the transparent redirect: origin-form, so the Host
    /// header alone names the destination (its port defaults to the one originally dialled).</summary>
    public async Task RunTransparentAsync(RequestHead head, int originalPort, ReadOnlyMemory<byte> leftover,
        CancellationToken cancellationToken)
    {
        var hosts = head.Values("Host").ToList();
        if (!head.Target.StartsWith('/') || hosts.Count != 1
            || !Authority.TryParse(hosts[0], originalPort, out var target))
        {
            await Refuse(400, head.Target, default, "malformed-request", cancellationToken);
            return;
        }
        await ForwardAsync(head, target, head.Target, leftover, cancellationToken);
    }

    private async Task ForwardAsync(RequestHead head, Authority target, string path, ReadOnlyMemory<byte> leftover,
        CancellationToken cancellationToken)
    {
        if (head.Values("Transfer-Encoding").Any())
        {
            await Refuse(501, target.Host, target, "chunked-request-body", cancellationToken);
            return;
        }
        var contentLength = 0L;
        var lengths = head.Values("Content-Length").Distinct(StringComparer.Ordinal).ToList();
        if (lengths.Count > 1 || (lengths.Count == 1
            && !long.TryParse(lengths[0], NumberStyles.None, CultureInfo.InvariantCulture, out contentLength)))
        {
            await Refuse(400, target.Host, target, "malformed-content-length", cancellationToken);
            return;
        }
        var destination = await proxy.DecideAsync(target.Host, target.Port, cancellationToken);
        if (!destination.Verdict.Allowed)
        {
            await session.RefuseAsync(403, protocol, target.Host, destination.Address, target.Port, destination.Verdict,
                cancellationToken);
            return;
        }
        using var upstream = await session.OpenUpstreamAsync(protocol, target, destination, cancellationToken);
        if (upstream is null)
            return;
        var up = await SendRequestAsync(head, path, upstream, leftover, contentLength, cancellationToken);
        var (down, deniedBy) = await RelayResponseAsync(upstream, cancellationToken);
        var verdict = deniedBy is null ? destination.Verdict : PolicyVerdict.Deny(deniedBy);
        proxy.Record(protocol, target.Host, destination.Address, target.Port, null, verdict, up, down, _start);
    }

    /// <summary>The response goes back as-is until the server closes (it was asked to). Nothing
    /// more is read from the client: a pipelined second request is never forwarded.</summary>
    private async Task<(long Down, string? DeniedBy)> RelayResponseAsync(Socket upstream, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long down = 0;
        while (true)
        {
            var n = await upstream.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0)
                return (down, null);
            await client.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken);
            down += n;
            if (!await proxy.Budget.ChargeAsync(n, cancellationToken))
                return (down, "limit:total-bytes");
        }
    }

    private async Task<long> SendRequestAsync(RequestHead head, string path, Socket upstream,
        ReadOnlyMemory<byte> leftover, long contentLength, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{head.Method} {path} {head.Version}\r\n");
        foreach (var (name, value) in head.Headers)
        {
            if (!HopByHop.Contains(name))
                text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }
        text.Append("Connection: close\r\n\r\n");
        var bytes = Encoding.Latin1.GetBytes(text.ToString());
        await upstream.SendAsync(bytes, SocketFlags.None, cancellationToken);
        var sent = (long)bytes.Length;
        var first = leftover[..(int)Math.Min(leftover.Length, contentLength)];
        await upstream.SendAsync(first, SocketFlags.None, cancellationToken);
        sent += first.Length;
        var remaining = contentLength - first.Length;
        var buffer = new byte[64 * 1024];
        while (remaining > 0)
        {
            var n = await client.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)),
                SocketFlags.None, cancellationToken);
            if (n == 0)
                break;
            await upstream.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken);
            remaining -= n;
            sent += n;
        }
        await proxy.Budget.ChargeAsync(sent, cancellationToken);
        return sent;
    }

    private Task Refuse(int status, string destination, Authority target, string rule, CancellationToken cancellationToken) =>
        session.RefuseAsync(status, protocol, destination, null, target.Port, PolicyVerdict.Deny(rule), cancellationToken);
}
