using Google.Protobuf;

namespace Sandboxd.Core.Api.Grpc;

internal sealed class ServerStreamingMethod<TRequest, TResponse>(
    MessageParser<TRequest> parser,
    Func<TRequest, IServerStreamWriter<TResponse>, GrpcCallContext, Task> handler) : GrpcMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override async Task InvokeAsync(GrpcCallContext context)
    {
        TRequest request = await ReadRequestAsync(context, parser).ConfigureAwait(false);
        using var writer = new ServerStreamWriter<TResponse>(context);
        try
        {
            await handler(request, writer, context).ConfigureAwait(false);
        }
        finally
        {
            // A write the handler forgot to await must finish before the trailers go out.
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }
}
