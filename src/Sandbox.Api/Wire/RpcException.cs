namespace Sandboxd.Api.Wire;

/// <summary>A call ended with a non-OK gRPC status. On the server, throwing it from a handler
/// sends <see cref="Status"/> and <see cref="Exception.Message"/> (as <c>grpc-message</c>) to the
/// client; on the client, it is what a failed call throws.</summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode status, string message)
        : base(message)
    {
        Status = status;
    }

    public RpcException(StatusCode status, string message, Exception innerException)
        : base(message, innerException)
    {
        Status = status;
    }

    public RpcException()
        : this(StatusCode.Unknown, "unknown error")
    {
    }

    public RpcException(string message)
        : this(StatusCode.Unknown, message)
    {
    }

    public RpcException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, innerException)
    {
    }

    public StatusCode Status { get; }

    public override string ToString() => $"{Status}: {base.ToString()}";
}
