using System.IO.Pipelines;
using Google.Protobuf;
using Sandboxd.Api.Wire;

namespace Sandboxd.Core.Api.Grpc;

/// <summary>One registered method: reads its request, runs the handler, writes its response
/// messages. The status is the dispatcher's business.</summary>
internal abstract class GrpcMethod
{
    public abstract Task InvokeAsync(GrpcCallContext context);

    /// <summary>Reads the single request message of a unary or server-streaming call, and the
    /// end of the request stream, so a client sending two messages hears about it.</summary>
    protected static async Task<TRequest> ReadRequestAsync<TRequest>(GrpcCallContext context, MessageParser<TRequest> parser)
        where TRequest : class, IMessage<TRequest>
    {
        PipeReader body = context.HttpContext.Request.BodyReader;
        TRequest request = await ReadAsync(context, parser, body).ConfigureAwait(false)
            ?? throw new RpcException(StatusCode.InvalidArgument, "the request has no message");
        if (await ReadAsync(context, parser, body).ConfigureAwait(false) is not null)
            throw new RpcException(StatusCode.InvalidArgument, "the request has more than one message");
        return request;
    }

    private static ValueTask<TRequest?> ReadAsync<TRequest>(GrpcCallContext context, MessageParser<TRequest> parser, PipeReader body)
        where TRequest : class, IMessage<TRequest> =>
        GrpcFraming.ReadMessageAsync(body, parser, context.MaxReceiveMessageSize, context.CancellationToken);
}
