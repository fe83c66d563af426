using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Sandboxd.Api.Wire;

/// <summary>The body of a client call: one framed message, serialized straight into the
/// HTTP/2 stream rather than into an intermediate array.</summary>
internal sealed class GrpcRequestContent : HttpContent
{
    private readonly IMessage _message;

    public GrpcRequestContent(IMessage message)
    {
        _message = message;
        Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        PipeWriter writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        GrpcFraming.WriteMessage(writer, _message);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = GrpcFraming.HeaderSize + _message.CalculateSize();
        return true;
    }
}
