using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Sandboxd.Api.V1;
using Sandboxd.Api.Wire;
using Xunit;
using static Sandboxd.Tests.Wire.TestSandboxesService;

namespace Sandboxd.Tests.Wire;

/// <summary>The C# client against a real Kestrel. After every failure the same connection must
/// still serve a call: no request may break the server or the channel.</summary>
public sealed class GrpcConnectionTests : IClassFixture<WireTestServer>, IDisposable
{
    private readonly WireTestServer _server;
    private readonly GrpcConnection _connection;

    public GrpcConnectionTests(WireTestServer server)
    {
        _server = server;
        _connection = GrpcConnection.ForUnixSocket(server.SocketPath);
    }

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task UnaryCallReturnsTheResponseAndThePeerUid()
    {
        Sandbox sandbox = await _connection.UnaryAsync(Get, new GetRequest { Id = "sbx-1" }, Sandbox.Parser);

        Assert.Equal("sbx-1", sandbox.Id);
        Assert.Equal("echo", sandbox.Hostname);
        Assert.Equal(Geteuid().ToString(CultureInfo.InvariantCulture), sandbox.Labels["peer_uid"]);
    }

    [Fact]
    public async Task ErrorStatusAndMessageReachTheClientIntact()
    {
        var e = await Assert.ThrowsAsync<RpcException>(
            () => _connection.UnaryAsync(Get, new GetRequest { Id = "missing" }, Sandbox.Parser));

        Assert.Equal(StatusCode.NotFound, e.Status);
        Assert.Equal(TestSandboxesService.NotFoundMessage, e.Message);
        await AssertStillServing();
    }

    [Fact]
    public async Task AHandlerBugIsInternalAndTheServerSurvives()
    {
        var e = await Assert.ThrowsAsync<RpcException>(
            () => _connection.UnaryAsync(Get, new GetRequest { Id = "boom" }, Sandbox.Parser));

        Assert.Equal(StatusCode.Internal, e.Status);
        Assert.Equal("handler bug", e.Message);
        await AssertStillServing();
    }

    [Fact]
    public async Task StreamingReceivesEveryMessageInOrder()
    {
        List<ExecuteResponse> received = await Collect(["count", "5", "10"]);

        Assert.Equal(6, received.Count);
        for (int i = 0; i < 5; i++)
            Assert.Equal($"line {i}", received[i].Stdout.ToStringUtf8());
        Assert.Equal("exec-1", received[5].Exit.ExecutionId);
    }

    [Fact]
    public async Task StreamedMessagesArriveAsTheyAreWritten()
    {
        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();
        var request = new ExecuteRequest { Argv = { "count", "3", "300" } };
        await foreach (ExecuteResponse _ in _connection.ServerStreamingAsync(Execute, request, ExecuteResponse.Parser))
            arrivals.Add(clock.Elapsed);

        // The server sleeps 300 ms after each line: buffered output would arrive all at once.
        Assert.Equal(4, arrivals.Count);
        Assert.True(arrivals[^1] - arrivals[0] >= TimeSpan.FromMilliseconds(500), string.Join(", ", arrivals));
    }

    [Fact]
    public async Task AnErrorAfterMessagesArrivesAsTrailersAfterThem()
    {
        var received = new List<ExecuteResponse>();
        var request = new ExecuteRequest { Argv = { "fail-after", "2" } };
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (ExecuteResponse message in _connection.ServerStreamingAsync(Execute, request, ExecuteResponse.Parser))
                received.Add(message);
        });

        Assert.Equal(2, received.Count);
        Assert.Equal(StatusCode.Aborted, e.Status);
        Assert.Equal("failed after 2 messages", e.Message);
    }

    [Fact]
    public async Task ConcurrentWritersNeverInterleaveFrames()
    {
        List<ExecuteResponse> received = await Collect(["concurrent", "200"]);

        Assert.Equal(400, received.Count);
        Assert.Equal(
            Enumerable.Range(0, 200).Select(i => $"out {i}"),
            received.Where(r => r.PayloadCase == ExecuteResponse.PayloadOneofCase.Stdout).Select(r => r.Stdout.ToStringUtf8()));
        Assert.Equal(
            Enumerable.Range(0, 200).Select(i => $"err {i}"),
            received.Where(r => r.PayloadCase == ExecuteResponse.PayloadOneofCase.Stderr).Select(r => r.Stderr.ToStringUtf8()));
    }

    [Fact]
    public async Task LeavingAStreamEarlyCancelsItAndTheConnectionStillWorks()
    {
        var request = new ExecuteRequest { Argv = { "count", "1000", "10" } };
        await foreach (ExecuteResponse message in _connection.ServerStreamingAsync(Execute, request, ExecuteResponse.Parser))
        {
            Assert.Equal("line 0", message.Stdout.ToStringUtf8());
            break;
        }
        await AssertStillServing();
    }

    [Fact]
    public async Task ADeadlineEndsTheCallWithDeadlineExceeded()
    {
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RpcException>(() => _connection.UnaryAsync(
            Destroy, new DestroyRequest { Id = "client-deadline" }, DestroyResponse.Parser, TimeSpan.FromMilliseconds(200)));

        Assert.Equal(StatusCode.DeadlineExceeded, e.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        await AssertStillServing();
    }

    [Fact]
    public async Task TheServerEnforcesGrpcTimeoutByItself()
    {
        // No local deadline here: only the grpc-timeout header can end this call.
        using var raw = new RawGrpcClient(_server.SocketPath);
        RawGrpcResponse response = await raw.SendAsync(
            Destroy, GrpcFramingTests.Frame(new DestroyRequest { Id = "server-deadline" }), grpcTimeout: "150m");

        Assert.Equal(StatusCode.DeadlineExceeded, response.Status);
        Assert.Equal("deadline exceeded", response.Message);
        Assert.True(response.TrailersOnly);
        Assert.True(_server.Service.Cancellations["server-deadline"], "the handler's token fired without DeadlineExceeded");
    }

    [Fact]
    public async Task AnOversizedRequestIsResourceExhausted()
    {
        var request = new GetRequest { Id = new string('x', GrpcFraming.DefaultMaxMessageSize) };

        var e = await Assert.ThrowsAsync<RpcException>(() => _connection.UnaryAsync(Get, request, Sandbox.Parser));

        Assert.Equal(StatusCode.ResourceExhausted, e.Status);
        Assert.EndsWith("exceeds the limit of 4194304 bytes", e.Message, StringComparison.Ordinal);
        await AssertStillServing();
    }

    [Fact]
    public async Task AnUnknownMethodIsUnimplemented()
    {
        var e = await Assert.ThrowsAsync<RpcException>(
            () => _connection.UnaryAsync("/sandbox.v1.Sandboxes/Nope", new GetRequest(), Sandbox.Parser));

        Assert.Equal(StatusCode.Unimplemented, e.Status);
        Assert.Equal("unknown method /sandbox.v1.Sandboxes/Nope", e.Message);
    }

    [Fact]
    public async Task AMissingSocketIsUnavailable()
    {
        string path = Path.Combine(Path.GetDirectoryName(_server.SocketPath)!, "nobody-listens.sock");
        using GrpcConnection connection = GrpcConnection.ForUnixSocket(path);

        var e = await Assert.ThrowsAsync<RpcException>(
            () => connection.UnaryAsync(Get, new GetRequest { Id = "a" }, Sandbox.Parser));

        Assert.Equal(StatusCode.Unavailable, e.Status);
        Assert.StartsWith($"cannot connect to {path}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSocketIsOpenToOwnerAndGroupOnly()
    {
        if (OperatingSystem.IsWindows())
            return; // only for the platform analyzer: Unix sockets with modes exist on Linux alone
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite,
            File.GetUnixFileMode(_server.SocketPath));
    }

    private async Task<List<ExecuteResponse>> Collect(string[] argv)
    {
        var received = new List<ExecuteResponse>();
        var request = new ExecuteRequest { Argv = { argv } };
        await foreach (ExecuteResponse message in _connection.ServerStreamingAsync(Execute, request, ExecuteResponse.Parser))
            received.Add(message);
        return received;
    }

    private async Task AssertStillServing()
    {
        Sandbox sandbox = await _connection.UnaryAsync(Get, new GetRequest { Id = "after" }, Sandbox.Parser);
        Assert.Equal("after", sandbox.Id);
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
