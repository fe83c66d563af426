using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Sandboxd.Api.Wire;

/// <summary>A gRPC client over HTTP/2 cleartext (prior knowledge) to sandboxd, on a Unix socket
/// or TCP. Thread-safe; calls share one HTTP/2 connection. Every failure is an <see cref="RpcException"/>.</summary>
public sealed class GrpcConnection : IDisposable
{
    private readonly HttpClient _client;
    private readonly Uri _baseAddress;
    private readonly string _target;

    private GrpcConnection(SocketsHttpHandler handler, Uri baseAddress, string target)
    {
        // Proxies, cookies and redirects have no place in a local RPC channel.
        handler.UseProxy = false;
        handler.UseCookies = false;
        handler.AllowAutoRedirect = false;
        handler.EnableMultipleHttp2Connections = true;
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _baseAddress = baseAddress;
        _target = target;
    }

    /// <summary>Largest response message accepted; larger ones fail with ResourceExhausted.</summary>
    public int MaxReceiveMessageSize { get; init; } = GrpcFraming.DefaultMaxMessageSize;

    /// <summary>Request headers sent with every call (x-tenant, x-trace-id); set before the first call.</summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public static GrpcConnection ForUnixSocket(string path) =>
        // The host name is never resolved: the connect callback decides where bytes go.
        new(CreateUnixSocketHandler(path), new Uri("http://localhost"), path);

    /// <summary>An HTTP handler whose every connection goes to the Unix socket at <paramref name="path"/>;
    /// for tools and tests that send hand-made HTTP/2 requests to sandboxd.</summary>
    public static SocketsHttpHandler CreateUnixSocketHandler(string path)
    {
        var endPoint = new UnixDomainSocketEndPoint(path);
        return new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }

    public static GrpcConnection ForTcp(string host, int port) =>
        new(new SocketsHttpHandler(), new UriBuilder(Uri.UriSchemeHttp, host, port).Uri, $"{host}:{port}");

    /// <param name="method">The full method path, e.g. "/sandbox.v1.Sandboxes/Create".</param>
    /// <param name="deadline">Sent as grpc-timeout and enforced here too: DeadlineExceeded.</param>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        string method, TRequest request, MessageParser<TResponse> parser,
        TimeSpan? deadline = null, CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using GrpcCall<TResponse> call = await StartAsync(method, request, parser, deadline, cancellationToken)
            .ConfigureAwait(false);
        return await call.ReadSingleAsync().ConfigureAwait(false);
    }

    /// <summary>Yields each response message as it arrives. Leaving the loop early cancels the call.</summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        string method, TRequest request, MessageParser<TResponse> parser,
        TimeSpan? deadline = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using GrpcCall<TResponse> call = await StartAsync(method, request, parser, deadline, cancellationToken)
            .ConfigureAwait(false);
        while (await call.ReadNextAsync().ConfigureAwait(false) is { } message)
            yield return message;
    }

    public void Dispose() => _client.Dispose();

    private Task<GrpcCall<TResponse>> StartAsync<TResponse>(
        string method, IMessage request, MessageParser<TResponse> parser, TimeSpan? deadline, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        if (deadline is { } d && d <= TimeSpan.Zero)
            throw new RpcException(StatusCode.DeadlineExceeded, $"{method}: deadline of {d} exceeded before the call started");

        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, method))
        {
            // Set on the message itself: HttpClient's defaults do not reach a hand-built request.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new GrpcRequestContent(request),
        };
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        foreach (var (name, value) in Metadata)
            message.Headers.TryAddWithoutValidation(name, value);
        if (deadline is { } timeout)
            message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(timeout));

        var options = new CallOptions(method, _target, deadline, MaxReceiveMessageSize, cancellationToken);
        return GrpcCall<TResponse>.StartAsync(_client, message, parser, options);
    }
}
