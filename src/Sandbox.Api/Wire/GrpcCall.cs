using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Sandboxd.Api.Wire;

/// <summary>One client call in flight: sends the request, then reads response messages and,
/// at the end, the status. Every transport failure leaves here as an <see cref="RpcException"/>.</summary>
internal sealed class GrpcCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly HttpRequestMessage _request;
    private readonly MessageParser<TResponse> _parser;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private bool _finished;

    private GrpcCall(HttpRequestMessage request, MessageParser<TResponse> parser, CallOptions options)
    {
        _request = request;
        _parser = parser;
        _options = options;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
        if (options.Deadline is { } deadline)
            _cts.CancelAfter(deadline);
    }

    public static async Task<GrpcCall<TResponse>> StartAsync(
        HttpClient client, HttpRequestMessage request, MessageParser<TResponse> parser, CallOptions options)
    {
        var call = new GrpcCall<TResponse>(request, parser, options);
        try
        {
            await call.SendAsync(client).ConfigureAwait(false);
            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    /// <summary>The next message, or null once the server ended the call with OK.</summary>
    public async ValueTask<TResponse?> ReadNextAsync()
    {
        if (_finished)
            return null;
        TResponse? message;
        try
        {
            message = await GrpcFraming.ReadMessageAsync(_reader!, _parser, _options.MaxReceiveMessageSize, _cts.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Translate(e);
        }
        if (message is not null)
            return message;

        _finished = true;
        ThrowIfNotOk(_response!.TrailingHeaders, "trailers");
        return null;
    }

    public async Task<TResponse> ReadSingleAsync()
    {
        TResponse message = await ReadNextAsync().ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.Internal, $"{_options.Method}: the server sent no response message");
        if (await ReadNextAsync().ConfigureAwait(false) is not null)
            throw new RpcException(StatusCode.Internal, $"{_options.Method}: the server sent more than one response message");
        return message;
    }

    public void Dispose()
    {
        // Completing the reader and disposing the response before the end resets the HTTP/2
        // stream, which the server sees as the client going away.
        _reader?.Complete();
        _response?.Dispose();
        _request.Dispose();
        _cts.Dispose();
    }

    private async Task SendAsync(HttpClient client)
    {
        try
        {
            _response = await client.SendAsync(_request, HttpCompletionOption.ResponseHeadersRead, _cts.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Translate(e);
        }

        if (_response.StatusCode != HttpStatusCode.OK)
        {
            throw new RpcException(
                FromHttpStatus(_response.StatusCode),
                $"{_options.Method}: HTTP {(int)_response.StatusCode} {_response.ReasonPhrase}");
        }
        string? contentType = _response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
            throw new RpcException(StatusCode.Unknown, $"{_options.Method}: unexpected content-type '{contentType}'");

        // Trailers-Only: the status came in the headers and there is no body.
        if (_response.Headers.Contains(GrpcProtocol.StatusHeader))
        {
            _finished = true;
            ThrowIfNotOk(_response.Headers, "headers");
            return;
        }

        try
        {
            Stream body = await _response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
            _reader = PipeReader.Create(body);
        }
        catch (Exception e)
        {
            throw Translate(e);
        }
    }

    private void ThrowIfNotOk(HttpHeaders headers, string where)
    {
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out IEnumerable<string>? statusValues))
            throw new RpcException(StatusCode.Internal, $"{_options.Method}: the server sent no grpc-status in its {where}");
        StatusCode status = GrpcProtocol.ParseStatus(statusValues.FirstOrDefault());
        if (status == StatusCode.OK)
            return;
        string message = headers.TryGetValues(GrpcProtocol.MessageHeader, out IEnumerable<string>? messageValues)
            ? GrpcMessageEncoding.Decode(messageValues.FirstOrDefault())
            : string.Empty;
        throw new RpcException(status, message);
    }

    private Exception Translate(Exception e)
    {
        if (e is RpcException)
            return e;
        if (_options.CancellationToken.IsCancellationRequested)
            return new RpcException(StatusCode.Cancelled, $"{_options.Method}: call cancelled", e);
        if (_cts.IsCancellationRequested)
            return new RpcException(StatusCode.DeadlineExceeded, $"{_options.Method}: deadline of {_options.Deadline} exceeded", e);
        return e switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } =>
                new RpcException(StatusCode.Unavailable, $"cannot connect to {_options.Target}: {e.InnerException?.Message ?? e.Message}", e),
            HttpProtocolException p => new RpcException(FromHttp2Error(p.ErrorCode), $"{_options.Method}: {p.Message}", e),
            HttpRequestException or IOException =>
                new RpcException(StatusCode.Unavailable, $"{_options.Method}: connection to {_options.Target} failed: {e.Message}", e),
            OperationCanceledException => new RpcException(StatusCode.Cancelled, $"{_options.Method}: call cancelled", e),
            _ => new RpcException(StatusCode.Internal, $"{_options.Method}: {e.Message}", e),
        };
    }

    // The mappings the gRPC spec gives for responses that are not gRPC (http-grpc-status-mapping.md).
    private static StatusCode FromHttpStatus(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    private static StatusCode FromHttp2Error(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable, // REFUSED_STREAM: nothing was processed, safe to retry
        0x8 => StatusCode.Cancelled,
        0xB => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };
}
