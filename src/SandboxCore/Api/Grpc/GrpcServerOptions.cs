using Sandboxd.Api.Wire;

namespace Sandboxd.Core.Api.Grpc;

public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted; larger ones fail with ResourceExhausted
    /// before their body is buffered.</summary>
    public int MaxReceiveMessageSize { get; init; } = GrpcFraming.DefaultMaxMessageSize;

    /// <summary>The bearer token a TCP caller must send ("authorization: Bearer …"). The Unix
    /// socket is guarded by its file mode (root only) instead.</summary>
    public string? TcpToken { get; init; }
}
