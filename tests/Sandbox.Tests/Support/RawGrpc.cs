using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Sandboxd.Tests.Support;

/// <summary>Sends hand-made bytes as a gRPC request, for inputs no well-behaved client sends.</summary>
public static class RawGrpc
{
    public sealed record Reply(HttpStatusCode Http, string? GrpcStatus, string? GrpcMessage);

    public static async Task<Reply> PostAsync(string socketPath, string method, byte[] body)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://sandboxd" + method)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        string? Header(string name) =>
            response.Headers.TryGetValues(name, out var v) ? v.First()
            : response.TrailingHeaders.TryGetValues(name, out var t) ? t.First() : null;
        return new Reply(response.StatusCode, Header("grpc-status"), Header("grpc-message"));
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
