using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Sandboxd.Api.V1;
using Sandboxd.Api.Wire;
using Sandboxd.Core.Api.Grpc;

namespace Sandboxd.Tests.Wire;

/// <summary>A stand-in for the Sandboxes service whose behaviour the wire tests steer through the
/// request: Get echoes (or fails), Execute streams, Destroy waits for its deadline.</summary>
internal sealed class TestSandboxesService
{
    public const string Get = "/sandbox.v1.Sandboxes/Get";
    public const string Execute = "/sandbox.v1.Sandboxes/Execute";
    public const string Destroy = "/sandbox.v1.Sandboxes/Destroy";

    public const string NotFoundMessage = "sandbox 'missing' not found: ünïcödé 100% \"quoted\"";

    /// <summary>Destroy calls that ended by cancellation, by request id: true when the deadline did it.</summary>
    public ConcurrentDictionary<string, bool> Cancellations { get; } = new();

    public void Register(GrpcServiceRegistry registry)
    {
        registry
            .AddUnary<GetRequest, Sandbox>(Get, GetRequest.Parser, GetAsync)
            .AddServerStreaming<ExecuteRequest, ExecuteResponse>(Execute, ExecuteRequest.Parser, ExecuteAsync)
            .AddUnary<DestroyRequest, DestroyResponse>(Destroy, DestroyRequest.Parser, WaitForCancellationAsync);
    }

    private static Task<Sandbox> GetAsync(GetRequest request, GrpcCallContext context)
    {
        if (request.Id.StartsWith("missing", StringComparison.Ordinal))
            throw new RpcException(StatusCode.NotFound, NotFoundMessage);
        if (request.Id == "boom")
            throw new InvalidOperationException("handler bug");
        var sandbox = new Sandbox { Id = request.Id, Hostname = "echo" };
        if (context.PeerUid is { } uid)
            sandbox.Labels["peer_uid"] = uid.ToString(CultureInfo.InvariantCulture);
        return Task.FromResult(sandbox);
    }

    // argv: ["count", N, delayMs] streams N stdout lines then an exit; ["fail-after", N] streams N
    // lines then fails with Aborted; ["concurrent", N] has two tasks write N lines each at once.
    private static async Task ExecuteAsync(ExecuteRequest request, IServerStreamWriter<ExecuteResponse> writer, GrpcCallContext context)
    {
        string mode = request.Argv.Count > 0 ? request.Argv[0] : "count";
        int count = request.Argv.Count > 1 ? int.Parse(request.Argv[1], CultureInfo.InvariantCulture) : 3;
        int delayMs = request.Argv.Count > 2 ? int.Parse(request.Argv[2], CultureInfo.InvariantCulture) : 0;

        if (mode == "concurrent")
        {
            await Task.WhenAll(Pump(writer, "out", count), Pump(writer, "err", count));
            return;
        }
        for (int i = 0; i < count; i++)
        {
            await writer.WriteAsync(new ExecuteResponse { Stdout = ByteString.CopyFromUtf8($"line {i}") });
            if (delayMs > 0)
                await Task.Delay(delayMs, context.CancellationToken);
        }
        if (mode == "fail-after")
            throw new RpcException(StatusCode.Aborted, $"failed after {count} messages");
        await writer.WriteAsync(new ExecuteResponse { Exit = new ExitStatus { ExecutionId = "exec-1", ExitCode = 0 } });
    }

    private static async Task Pump(IServerStreamWriter<ExecuteResponse> writer, string stream, int count)
    {
        await Task.Yield();
        for (int i = 0; i < count; i++)
        {
            ByteString data = ByteString.CopyFromUtf8($"{stream} {i}");
            await writer.WriteAsync(stream == "out" ? new ExecuteResponse { Stdout = data } : new ExecuteResponse { Stderr = data });
        }
    }

    private async Task<DestroyResponse> WaitForCancellationAsync(DestroyRequest request, GrpcCallContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            Cancellations[request.Id] = context.DeadlineExceeded;
            throw;
        }
        return new DestroyResponse();
    }
}
