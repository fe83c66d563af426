using System.Net;
using Sandboxd.Api.V1;
using Sandboxd.Api.Wire;
using Xunit;
using static Sandboxd.Tests.Wire.TestSandboxesService;

namespace Sandboxd.Tests.Wire;

/// <summary>What a broken or foreign client sends, through hand-made HTTP/2 requests: each gets
/// a clear answer, and the server keeps serving.</summary>
public sealed class MalformedRequestTests(WireTestServer server) : IClassFixture<WireTestServer>, IDisposable
{
    private readonly RawGrpcClient _raw = new(server.SocketPath);

    public void Dispose() => _raw.Dispose();

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF }, StatusCode.InvalidArgument, "malformed request: ")]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0x0A }, StatusCode.Unimplemented, "compressed messages are not supported")]
    [InlineData(new byte[] { 0, 0, 0, 0, 10, 0x0A }, StatusCode.Internal, "truncated message")]
    [InlineData(new byte[] { 0, 0, 0 }, StatusCode.Internal, "truncated message")]
    [InlineData(new byte[0], StatusCode.InvalidArgument, "the request has no message")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, StatusCode.InvalidArgument, "the request has more than one message")]
    public async Task ABadRequestBodyGetsATrailersOnlyError(byte[] body, StatusCode status, string messageStart)
    {
        RawGrpcResponse response = await _raw.SendAsync(Get, body);

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.True(response.TrailersOnly);
        Assert.Empty(response.Body);
        Assert.Equal(status, response.Status);
        Assert.StartsWith(messageStart, response.Message, StringComparison.Ordinal);
        await AssertStillServing();
    }

    [Fact]
    public async Task AnUnparsableGrpcTimeoutIsInvalidArgument()
    {
        RawGrpcResponse response = await _raw.SendAsync(Get, GrpcFramingTests.Frame(new GetRequest()), grpcTimeout: "soon");

        Assert.Equal(StatusCode.InvalidArgument, response.Status);
        Assert.Equal("invalid grpc-timeout 'soon'", response.Message);
    }

    [Theory]
    [InlineData("GET", GrpcProtocol.ContentType, HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "application/json", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("POST", "application/grpc-web", HttpStatusCode.UnsupportedMediaType)]
    public async Task NonGrpcRequestsGetAPlainHttpError(string method, string contentType, HttpStatusCode expected)
    {
        RawGrpcResponse response = await _raw.SendAsync(Get, [], contentType, method);

        Assert.Equal(expected, response.HttpStatus);
        Assert.Null(response.GrpcStatus);
        Assert.NotEmpty(response.Body);
        await AssertStillServing();
    }

    [Fact]
    public async Task Http11IsRefused()
    {
        // Without TLS there is no ALPN: an endpoint allowing HTTP/1.1 would answer in HTTP/1.1,
        // where trailers, and so grpc-status, do not exist.
        using var client = new HttpClient(GrpcConnection.CreateUnixSocketHandler(server.SocketPath));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("http://localhost" + Get))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcFramingTests.Frame(new GetRequest())),
        };

        // Kestrel answers an HTTP/1.x request on an HTTP/2-only endpoint with a bare 400 and closes.
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains(GrpcProtocol.StatusHeader));
        await AssertStillServing();
    }

    [Fact]
    public async Task ASuccessfulUnaryCallSendsItsStatusInTrailers()
    {
        RawGrpcResponse response = await _raw.SendAsync(Get, GrpcFramingTests.Frame(new GetRequest { Id = "t" }));

        Assert.False(response.TrailersOnly);
        Assert.Equal("0", response.GrpcStatus);
        Assert.Null(response.GrpcMessage);
        Assert.Equal(new byte[] { 0 }, response.Body[..1]);
        Assert.Equal("t", Sandbox.Parser.ParseFrom(response.Body.AsSpan(GrpcFraming.HeaderSize)).Id);
    }

    private async Task AssertStillServing()
    {
        RawGrpcResponse response = await _raw.SendAsync(Get, GrpcFramingTests.Frame(new GetRequest { Id = "after" }));
        Assert.Equal(StatusCode.OK, response.Status);
    }
}
