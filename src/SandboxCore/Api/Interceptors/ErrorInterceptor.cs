using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Sandboxd.Core.Api.Interceptors;

/// <summary>Turns every failure of a handler into a gRPC status: the daemon's own failures into
/// the status <see cref="ErrorMapping"/> names, with their message (which names the field or
/// the step); anything unexpected into INTERNAL without .NET's exception text, logged in full.</summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        Guarded(context, () => continuation(request, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Guarded(context, () => continuation(request, responseStream, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        Guarded(context, () => continuation(requestStream, context));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        Guarded(context, () => continuation(requestStream, responseStream, context));

    private async Task<T> Guarded<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    private Task<bool> Guarded(ServerCallContext context, Func<Task> call) =>
        Guarded(context, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    /// <summary>Null leaves the exception as it is: an RpcException already is a status, and a
    /// cancellation of a call whose client left or whose deadline passed is the framework's to end.</summary>
    private RpcException? Translate(Exception e, ServerCallContext context)
    {
        if (e is RpcException)
            return null;
        if (e is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            return null;
        if (ErrorMapping.ToStatus(e) is { } status)
        {
            CallFailed(logger, context.Method, status.StatusCode, status.Detail);
            return new RpcException(status);
        }
        HandlerFailed(logger, context.Method, e);
        return new RpcException(new Status(StatusCode.Internal, $"internal error in {context.Method}; the daemon's log has the details"));
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "RPC {Method} failed with an unexpected exception")]
    private static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "RPC {Method} ended with {Status}: {Detail}")]
    private static partial void CallFailed(ILogger logger, string method, StatusCode status, string detail);
}
