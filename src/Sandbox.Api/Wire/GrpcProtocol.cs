namespace Sandboxd.Api.Wire;

/// <summary>Header names and values of the gRPC-over-HTTP/2 protocol, shared by client and server.</summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";

    /// <summary>Whether a content-type names gRPC: <c>application/grpc</c>, optionally with a
    /// <c>+proto</c>-style suffix or parameters.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
            return false;
        if (contentType.Length == ContentType.Length)
            return true;
        char next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    /// <summary>Parses a <c>grpc-status</c> header value; an unparsable value is Unknown, as the
    /// spec asks of clients.</summary>
    public static StatusCode ParseStatus(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int code)
        && code is >= 0 and <= 16
            ? (StatusCode)code
            : StatusCode.Unknown;
}
