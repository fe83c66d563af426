using System.Net;
using System.Net.Http.Headers;
using Sandboxd.Api.Wire;

namespace Sandboxd.Tests.Wire;

/// <summary>Sends hand-made HTTP/2 requests to the test server, for what a well-behaved client
/// never sends: broken frames, two messages, the wrong content-type.</summary>
internal sealed class RawGrpcClient : IDisposable
{
    private readonly HttpClient _client;

    public RawGrpcClient(string socketPath)
    {
        _client = new HttpClient(GrpcConnection.CreateUnixSocketHandler(socketPath));
    }

    public async Task<RawGrpcResponse> SendAsync(
        string path, byte[] body, string contentType = GrpcProtocol.ContentType,
        string method = "POST", string? grpcTimeout = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri("http://localhost" + path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.ParseAdd("trailers");
        if (grpcTimeout is not null)
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, grpcTimeout);

        using HttpResponseMessage response = await _client.SendAsync(request);
        byte[] responseBody = await response.Content.ReadAsByteArrayAsync();
        bool trailersOnly = response.Headers.Contains(GrpcProtocol.StatusHeader);
        HttpHeaders statusSource = trailersOnly ? response.Headers : response.TrailingHeaders;
        return new RawGrpcResponse(
            response.StatusCode,
            responseBody,
            trailersOnly,
            Single(statusSource, GrpcProtocol.StatusHeader),
            Single(statusSource, GrpcProtocol.MessageHeader));
    }

    public void Dispose() => _client.Dispose();

    private static string? Single(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out IEnumerable<string>? values) ? values.Single() : null;
}
