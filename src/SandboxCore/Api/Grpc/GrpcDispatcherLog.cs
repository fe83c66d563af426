using Microsoft.Extensions.Logging;

namespace Sandboxd.Core.Api.Grpc;

/// <summary>The dispatcher's log events; the ids are stable (3100–3199 belong to the gRPC layer).</summary>
internal static partial class GrpcDispatcherLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "RPC {Method} failed with an unexpected exception")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Rejected a non-gRPC request {HttpMethod} {Path}: {Reason}")]
    public static partial void NotGrpc(ILogger logger, string httpMethod, string path, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "RPC {Method} ended with {Status}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, Sandboxd.Api.Wire.StatusCode status, string detail);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "RPC {Method}: the client went away")]
    public static partial void ClientGone(ILogger logger, string method);
}
