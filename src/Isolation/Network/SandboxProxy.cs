using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Network;

/// <summary>The egress proxy of one sandbox: a listener on the host side of its veth (the only
/// address its firewall lets it reach), the live policy, and its counters. One listener per
/// sandbox means the source of a connection never has to be mapped back to a sandbox.</summary>
internal sealed class SandboxProxy : IAsyncDisposable
{
    private readonly EgressOptions _options;
    private readonly Socket _listener;
    private readonly Socket? _transparentListener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, Task> _sessions = new();
    private PolicyMatcher _matcher;
    private Task _acceptLoops = Task.CompletedTask;
    private int _active;

    /// <param name="transparentPort">Where redirected connections arrive, or null without transparent mode.</param>
    public SandboxProxy(string sandboxId, IPEndPoint endpoint, int? transparentPort, PolicyMatcher matcher,
        EgressOptions options)
    {
        SandboxId = sandboxId;
        _matcher = matcher;
        _options = options;
        _listener = Listen(endpoint, clientSpeaksFirst: true);
        if (transparentPort is { } port)
        {
            try
            {
                _transparentListener = Listen(new IPEndPoint(endpoint.Address, port), clientSpeaksFirst: false);
            }
            catch
            {
                _listener.Dispose();
                throw;
            }
        }
        Budget = new EgressBudget(matcher.Policy);
    }

    public string SandboxId { get; }

    public EgressOptions Options => _options;

    /// <summary>Swapped atomically; connections read it once when they decide, so an update
    /// governs every connection opened after it. Its byte limits apply at once, to open tunnels too.</summary>
    public PolicyMatcher Matcher
    {
        get => Volatile.Read(ref _matcher);
        set
        {
            Volatile.Write(ref _matcher, value);
            Budget.Apply(value.Policy);
        }
    }

    /// <summary>Total bytes and rate, shared with the native relays of every tunnel.</summary>
    public EgressBudget Budget { get; }

    public void Start() => _acceptLoops = Task.WhenAll(StartAcceptThread(_listener, transparent: false),
        _transparentListener is null ? Task.CompletedTask : StartAcceptThread(_transparentListener, transparent: true));

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

    /// <summary>How long a connect may hold the calling thread (usually the accept thread) before
    /// the wait becomes asynchronous: a near destination answers within it, and waiting for it here
    /// saves the two wake-ups (epoll thread, then thread pool) of an asynchronous completion.</summary>
    private const int SynchronousConnectMicroseconds = 1000;

    /// <summary>Connects to the checked address, never re-resolving the name (no rebinding window).
    /// On failure returns the rule to record: upstream-timeout or upstream-unreachable.</summary>
    public async Task<(Socket? Upstream, string? Failure)> OpenUpstreamAsync(IPAddress address, int port,
        CancellationToken cancellationToken)
    {
        var upstream = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
        try
        {
            var error = StartConnect(upstream, new IPEndPoint(address, port));
            if (error == Native.EINPROGRESS && upstream.Poll(SynchronousConnectMicroseconds, SelectMode.SelectWrite))
                error = (int)upstream.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (error == Native.EINPROGRESS)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.ConnectTimeout);
                // A zero-byte send completes once the handshake has, and fails with the connect's error.
                await upstream.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, timeout.Token);
                error = 0;
            }
            if (error == 0)
                return (upstream, null);
            upstream.Dispose();
            return (null, "upstream-unreachable");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            upstream.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return (null, e is OperationCanceledException ? UpstreamTimeout : "upstream-unreachable");
        }
    }

    /// <summary>connect(2) on the non-blocking socket, returning its errno (0 when connected at
    /// once): Socket.Connect reports the usual EINPROGRESS as an exception, whose throw and catch
    /// cost more than the handshake with a near destination.</summary>
    private static unsafe int StartConnect(Socket socket, IPEndPoint endpoint)
    {
        var address = endpoint.Serialize();
        fixed (byte* raw = address.Buffer.Span)
        {
            return Native.Connect((int)socket.Handle, raw, address.Size) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    public bool OverByteLimit => Matcher.Policy.MaxTotalBytes is > 0 and var limit && Budget.TotalBytes >= limit;

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

    private const int IpProtoTcp = 6;
    private const int TcpDeferAccept = 9;

    /// <summary>Seconds the kernel holds a silent connection back from accept.</summary>
    private static readonly byte[] DeferAcceptSeconds = BitConverter.GetBytes(5);

    /// <param name="clientSpeaksFirst">HTTP and SOCKS clients always send first: accept then returns
    /// with the request already in (TCP_DEFER_ACCEPT), so reading it never waits for a wake-up.
    /// Not for redirected connections, which may be a protocol where the server speaks first.</param>
    private static Socket Listen(IPEndPoint endpoint, bool clientSpeaksFirst)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (clientSpeaksFirst)
                listener.SetRawSocketOption(IpProtoTcp, TcpDeferAccept, DeferAcceptSeconds);
            listener.Bind(endpoint);
            listener.Listen(512);
            return listener;
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new NetworkSetupException("proxy: listen", $"{endpoint}: {e.SocketErrorCode}");
        }
    }

    /// <summary>Blocking accept on a thread of its own: the session starts on this thread and
    /// runs until its first wait (its request head has usually arrived by then), so a connection
    /// reaches its decision without a hop through the thread pool.</summary>
    private Task StartAcceptThread(Socket listener, bool transparent)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            AcceptLoop(listener, transparent);
            done.SetResult();
        }) { IsBackground = true, Name = $"egress accept {SandboxId}" };
        thread.Start();
        return done.Task;
    }

    private void AcceptLoop(Socket listener, bool transparent)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = listener.Accept();
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                    return;
                continue;
            }
            client.NoDelay = true;
            var overLimit = Interlocked.Increment(ref _active) > Matcher.Policy.MaxConnections;
            var session = RunSessionAsync(client, overLimit, transparent);
            // Removed by a continuation, which runs after this add even when the session already
            // finished on this thread.
            _sessions[client] = session;
            session.ContinueWith(_ => _sessions.TryRemove(client, out Task? _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task RunSessionAsync(Socket client, bool overLimit, bool transparent)
    {
        try
        {
            if (!transparent)
                await new ProxySession(this, client).RunAsync(overLimit, _stop.Token);
            else if (overLimit || OverByteLimit)
                Record("transparent", "", null, 0, null,
                    PolicyVerdict.Deny(overLimit ? "limit:connections" : "limit:total-bytes"), 0, 0, _options.Time.GetTimestamp());
            else
                await new TransparentSession(this, client).RunAsync(_stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _active);
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        _transparentListener?.Dispose();
        await _acceptLoops;
        foreach (var client in _sessions.Keys)
            client.Dispose();
        await Task.WhenAll(_sessions.Values);
        _stop.Dispose();
    }
}
