using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Sandboxd.Core.Api.Grpc;

/// <summary>What a handler knows about its call besides the request message.</summary>
public sealed class GrpcCallContext : IDisposable
{
    // CancellationTokenSource timers cannot go beyond ~49 days; a longer grpc-timeout is no deadline.
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource _call;
    private int? _peerUid;
    private bool _peerUidRead;

    internal GrpcCallContext(HttpContext httpContext, string method, TimeSpan? timeout, int maxReceiveMessageSize, TimeProvider timeProvider)
    {
        HttpContext = httpContext;
        Method = method;
        MaxReceiveMessageSize = maxReceiveMessageSize;
        if (timeout is { } t && t <= MaxTimeout)
        {
            _deadline = new CancellationTokenSource(t, timeProvider);
            Deadline = timeProvider.GetUtcNow() + t;
            _call = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, _deadline.Token);
        }
        else
        {
            _call = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        }
    }

    /// <summary>The full method path, e.g. "/sandbox.v1.Sandboxes/Execute".</summary>
    public string Method { get; }

    /// <summary>Fires when the client goes away or the deadline passes.</summary>
    public CancellationToken CancellationToken => _call.Token;

    /// <summary>When the client's grpc-timeout runs out; null when it sent none.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>True when <see cref="CancellationToken"/> fired because the deadline passed.</summary>
    public bool DeadlineExceeded => _deadline?.IsCancellationRequested == true;

    public IHeaderDictionary RequestHeaders => HttpContext.Request.Headers;

    public HttpContext HttpContext { get; }

    /// <summary>The uid of the connecting process (SO_PEERCRED) on a Unix socket; null on TCP.</summary>
    public int? PeerUid
    {
        get
        {
            if (!_peerUidRead)
            {
                _peerUid = ReadPeerUid(HttpContext);
                _peerUidRead = true;
            }
            return _peerUid;
        }
    }

    internal int MaxReceiveMessageSize { get; }

    /// <summary>Set once a response message is written: errors after that go out as trailers,
    /// before it as Trailers-Only.</summary>
    internal bool ResponseStarted { get; set; }

    public void Dispose()
    {
        _call.Dispose();
        _deadline?.Dispose();
    }

    private static int? ReadPeerUid(HttpContext httpContext)
    {
        Socket? socket = httpContext.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || socket.AddressFamily != AddressFamily.Unix)
            return null;

        const int SolSocket = 1;
        const int SoPeerCred = 17;
        Span<int> ucred = stackalloc int[3]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, MemoryMarshal.AsBytes(ucred));
            return length == sizeof(int) * 3 ? ucred[1] : null;
        }
        catch (SocketException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }
}
