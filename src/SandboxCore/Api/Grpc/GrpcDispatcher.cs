using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Sandboxd.Api.Wire;

namespace Sandboxd.Core.Api.Grpc;

/// <summary>The terminal middleware that serves gRPC calls from a <see cref="GrpcServiceRegistry"/>:
/// <c>app.Run(dispatcher.HandleAsync)</c>. Every outcome of a handler becomes a gRPC status;
/// no request can take the daemon down.</summary>
public sealed class GrpcDispatcher
{
    private readonly GrpcServiceRegistry _registry;
    private readonly ILogger _logger;
    private readonly GrpcServerOptions _options;
    private readonly TimeProvider _timeProvider;

    public GrpcDispatcher(
        GrpcServiceRegistry registry, ILogger<GrpcDispatcher> logger,
        GrpcServerOptions? options = null, TimeProvider? timeProvider = null)
    {
        _registry = registry;
        _logger = logger;
        _options = options ?? new GrpcServerOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Unix-socket callers pass (the socket's mode admits only root); a TCP caller must
    /// present the configured token, compared in constant time. No token configured: no TCP caller.</summary>
    private bool TcpCallerAuthenticated(HttpContext httpContext)
    {
        if (httpContext.Connection.RemoteIpAddress is null)
            return true;
        if (_options.TcpToken is not { Length: > 0 } token)
            return false;
        string presented = httpContext.Request.Headers.Authorization.ToString();
        var expected = System.Text.Encoding.UTF8.GetBytes("Bearer " + token);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, System.Text.Encoding.UTF8.GetBytes(presented));
    }

    public async Task HandleAsync(HttpContext httpContext)
    {
        if (await RejectIfNotGrpcAsync(httpContext).ConfigureAwait(false))
            return;

        string path = httpContext.Request.Path.Value ?? string.Empty;
        HttpResponse response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;

        if (!TcpCallerAuthenticated(httpContext))
        {
            SendStatus(httpContext, responseStarted: false, StatusCode.Unauthenticated, "a bearer token is required on TCP (authorization: Bearer …)");
            return;
        }

        if (!_registry.TryGet(path, out GrpcMethod? method))
        {
            SendStatus(httpContext, responseStarted: false, StatusCode.Unimplemented, $"unknown method {path}");
            return;
        }

        TimeSpan? timeout = null;
        StringValues timeoutHeader = httpContext.Request.Headers[GrpcProtocol.TimeoutHeader];
        if (!StringValues.IsNullOrEmpty(timeoutHeader))
        {
            if (!GrpcTimeout.TryParse(timeoutHeader.ToString(), out TimeSpan parsed))
            {
                SendStatus(httpContext, responseStarted: false, StatusCode.InvalidArgument, $"invalid grpc-timeout '{timeoutHeader}'");
                return;
            }
            timeout = parsed;
        }

        using var context = new GrpcCallContext(httpContext, path, timeout, _options.MaxReceiveMessageSize, _timeProvider);
        CallCorrelation.Current = CallCorrelation.From(context); // flows into the handler and every event it causes
        try
        {
            await method.InvokeAsync(context).ConfigureAwait(false);
            SendStatus(httpContext, context.ResponseStarted, StatusCode.OK, string.Empty);
        }
        catch (Exception) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream: nobody is left to read a status.
            GrpcDispatcherLog.ClientGone(_logger, path);
        }
        catch (RpcException e)
        {
            GrpcDispatcherLog.CallFailed(_logger, path, e.Status, e.Message);
            SendStatus(httpContext, context.ResponseStarted, e.Status, e.Message);
        }
        catch (OperationCanceledException) when (context.DeadlineExceeded)
        {
            SendStatus(httpContext, context.ResponseStarted, StatusCode.DeadlineExceeded, "deadline exceeded");
        }
        catch (Exception e)
        {
            GrpcDispatcherLog.HandlerFailed(_logger, path, e);
            SendStatus(httpContext, context.ResponseStarted, StatusCode.Internal, e.Message);
        }
    }

    /// <summary>Before any message, the status goes in the response headers (Trailers-Only);
    /// after, in the trailers.</summary>
    private static void SendStatus(HttpContext httpContext, bool responseStarted, StatusCode status, string message)
    {
        HttpResponse response = httpContext.Response;
        string code = ((int)status).ToString(CultureInfo.InvariantCulture);
        string? encoded = message.Length == 0 ? null : GrpcMessageEncoding.Encode(message);
        if (!responseStarted && !response.HasStarted)
        {
            response.Headers[GrpcProtocol.StatusHeader] = code;
            if (encoded is not null)
                response.Headers[GrpcProtocol.MessageHeader] = encoded;
            return;
        }
        response.AppendTrailer(GrpcProtocol.StatusHeader, code);
        if (encoded is not null)
            response.AppendTrailer(GrpcProtocol.MessageHeader, encoded);
    }

    /// <summary>Answers what is not a gRPC call with a plain HTTP error, since such a client
    /// would not understand a grpc-status anyway.</summary>
    private async Task<bool> RejectIfNotGrpcAsync(HttpContext httpContext)
    {
        HttpRequest request = httpContext.Request;
        (int status, string reason) = true switch
        {
            _ when !HttpProtocol.IsHttp2(request.Protocol) =>
                (StatusCodes.Status505HttpVersionNotsupported, "gRPC needs HTTP/2"),
            _ when !HttpMethods.IsPost(request.Method) =>
                (StatusCodes.Status405MethodNotAllowed, "gRPC calls are POST requests"),
            _ when !GrpcProtocol.IsGrpcContentType(request.ContentType) =>
                (StatusCodes.Status415UnsupportedMediaType, $"content-type must be {GrpcProtocol.ContentType}"),
            _ => (0, string.Empty),
        };
        if (status == 0)
            return false;

        GrpcDispatcherLog.NotGrpc(_logger, request.Method, request.Path.Value ?? string.Empty, reason);
        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status405MethodNotAllowed)
            httpContext.Response.Headers.Allow = HttpMethods.Post;
        httpContext.Response.ContentType = "text/plain; charset=utf-8";
        await httpContext.Response.WriteAsync(reason + "\n", httpContext.RequestAborted).ConfigureAwait(false);
        return true;
    }
}
