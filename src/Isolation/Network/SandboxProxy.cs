using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>The egress proxy of one sandbox: a listener on the host side of its veth (the only
/// address its firewall lets it reach), the live policy, and its counters. One listener per
/// sandbox means the source of a connection never has to be mapped back to a sandbox.</summary>
internal sealed class SandboxProxy : IAsyncDisposable
{
    private readonly EgressOptions _options;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _sessions = new();
    private PolicyMatcher _matcher;
    private Task _acceptLoop = Task.CompletedTask;
    private long _totalBytes;
    private int _active;

    public SandboxProxy(string sandboxId, IPEndPoint endpoint, PolicyMatcher matcher, EgressOptions options)
    {
        SandboxId = sandboxId;
        _matcher = matcher;
        _options = options;
        _listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(endpoint);
            _listener.Listen(512);
        }
        catch (SocketException e)
        {
            _listener.Dispose();
            throw new NetworkSetupException("proxy: listen", $"{endpoint}: {e.SocketErrorCode}");
        }
    }

    public string SandboxId { get; }

    public EgressOptions Options => _options;

    /// <summary>Swapped atomically; connections read it once when they decide, so an update
    /// governs every connection opened after it.</summary>
    public PolicyMatcher Matcher
    {
        get => Volatile.Read(ref _matcher);
        set => Volatile.Write(ref _matcher, value);
    }

    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    public void Start() => _acceptLoop = AcceptLoopAsync();

    /// <summary>Port and name rules first, then the proxy's own lookup; the first resolved address
    /// that passes the address rules is the one connected to.</summary>
    public async Task<Destination> DecideAsync(string host, int port, CancellationToken cancellationToken)
    {
        var matcher = Matcher;
        var verdict = matcher.CheckDestination(host, port);
        if (!verdict.Allowed)
            return new Destination(verdict, null);
        if (IPAddress.TryParse(host, out var literal))
            return new Destination(verdict, literal);
        var addresses = await _options.Resolver.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
            return new Destination(PolicyVerdict.Deny("unresolvable"), null);
        Destination refused = default;
        foreach (var address in addresses)
        {
            var check = matcher.CheckAddress(address, isLiteral: false);
            if (check.Allowed)
                return new Destination(PolicyVerdict.Allow($"{verdict.Rule},{check.Rule}"), address);
            if (refused.Address is null)
                refused = new Destination(check, address);
        }
        return refused;
    }

    public const string UpstreamTimeout = "upstream-timeout";

    /// <summary>Connects to the checked address, never re-resolving the name (no rebinding window).
    /// On failure returns the rule to record: upstream-timeout or upstream-unreachable.</summary>
    public async Task<(Socket? Upstream, string? Failure)> OpenUpstreamAsync(IPAddress address, int port,
        CancellationToken cancellationToken)
    {
        var upstream = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            await upstream.ConnectAsync(new IPEndPoint(address, port), timeout.Token);
            return (upstream, null);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            upstream.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return (null, e is OperationCanceledException ? UpstreamTimeout : "upstream-unreachable");
        }
    }

    /// <summary>Adds relayed bytes; false once the total-bytes limit is passed.</summary>
    public bool AddBytes(long count)
    {
        var total = Interlocked.Add(ref _totalBytes, count);
        var limit = Matcher.Policy.MaxTotalBytes;
        return limit <= 0 || total <= limit;
    }

    public bool OverByteLimit => Matcher.Policy.MaxTotalBytes is > 0 and var limit && TotalBytes >= limit;

    public void Record(string protocol, string destination, IPAddress? address, int port, string? sni, PolicyVerdict verdict,
        long up, long down, long startTimestamp)
    {
        var decision = new NetworkDecision(SandboxId, protocol, destination, address?.ToString(), port, sni, verdict.Rule,
            verdict.Allowed, up, down, _options.Time.GetElapsedTime(startTimestamp), _options.Time.GetUtcNow());
        try
        {
            _options.Events.Record(decision);
        }
        catch (Exception)
        {
            // A failing sink must not take the proxy down; the audit layer counts its own losses.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                    return;
                continue;
            }
            client.NoDelay = true;
            var overLimit = Interlocked.Increment(ref _active) > Matcher.Policy.MaxConnections;
            var session = new ProxySession(this, client);
            _sessions[client] = RunSessionAsync(session, client, overLimit);
        }
    }

    private async Task RunSessionAsync(ProxySession session, Socket client, bool overLimit)
    {
        await Task.Yield();
        try
        {
            await session.RunAsync(overLimit, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            client.Dispose();
            _sessions.TryRemove(client, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        foreach (var client in _sessions.Keys)
            client.Dispose();
        await Task.WhenAll(_sessions.Values);
        _stop.Dispose();
    }
}
