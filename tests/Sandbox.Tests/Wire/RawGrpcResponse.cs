using System.Net;
using Sandboxd.Api.Wire;

namespace Sandboxd.Tests.Wire;

internal sealed record RawGrpcResponse(
    HttpStatusCode HttpStatus, byte[] Body, bool TrailersOnly, string? GrpcStatus, string? GrpcMessage)
{
    public StatusCode Status => GrpcProtocol.ParseStatus(GrpcStatus);

    public string Message => GrpcMessageEncoding.Decode(GrpcMessage);
}
