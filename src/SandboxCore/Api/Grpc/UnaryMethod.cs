using Google.Protobuf;
using Sandboxd.Api.Wire;

namespace Sandboxd.Core.Api.Grpc;

internal sealed class UnaryMethod<TRequest, TResponse>(
    MessageParser<TRequest> parser,
    Func<TRequest, GrpcCallContext, Task<TResponse>> handler) : GrpcMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override async Task InvokeAsync(GrpcCallContext context)
    {
        TRequest request = await ReadRequestAsync(context, parser).ConfigureAwait(false);
        TResponse response = await handler(request, context).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the {context.Method} handler returned no response");

        // No flush: Kestrel sends headers, the message and the trailers together when the call ends.
        context.ResponseStarted = true;
        GrpcFraming.WriteMessage(context.HttpContext.Response.BodyWriter, response);
    }
}
