using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Sandboxd.Tests.Support;

/// <summary>Sends hand-made bytes as a gRPC request over the daemon's Unix socket, for what no
/// well-behaved client sends: broken frames, foreign content types, HTTP/1.1, a grpc-timeout
/// with no client-side timer behind it.</summary>
public static class RawGrpc
{
    public sealed record Reply(HttpStatusCode Http, string? GrpcStatus, string? GrpcMessage, byte[] Body)
    {
        /// <summary>grpc-message is percent-encoded on the wire.</summary>
        public string? Message => GrpcMessage is null ? null : Uri.UnescapeDataString(GrpcMessage);
    }

    public static SocketsHttpHandler UnixSocketHandler(string socketPath) => new()
    {
        ConnectCallback = async (_, cancel) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    public static async Task<Reply> PostAsync(string socketPath, string method, byte[] body,
        IReadOnlyDictionary<string, string>? headers = null, string contentType = "application/grpc",
        string httpMethod = "POST", Version? version = null)
    {
        using var client = new HttpClient(UnixSocketHandler(socketPath)) { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(new HttpMethod(httpMethod), "http://sandboxd" + method)
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request);
        byte[] responseBody = await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) =>
            response.Headers.TryGetValues(name, out var v) ? v.First()
            : response.TrailingHeaders.TryGetValues(name, out var t) ? t.First() : null;
        return new Reply(response.StatusCode, Header("grpc-status"), Header("grpc-message"), responseBody);
    }

    /// <summary>A gRPC frame: uncompressed flag, big-endian length, payload.</summary>
    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }
}
