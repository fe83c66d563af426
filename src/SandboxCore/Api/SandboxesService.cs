using Google.Protobuf;
using Sandboxd.Api.V1;
using Sandboxd.Core.Api.Grpc;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Execution;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.Sandboxes: maps the wire onto the orchestrator, and its errors onto
/// gRPC statuses whose messages name the field or the failed step.</summary>
public sealed class SandboxesService(Orchestrator orchestrator)
{
    private const string Prefix = "/sandbox.v1.Sandboxes/";

    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary<CreateRequest, Sandbox>(Prefix + "Create", CreateRequest.Parser,
            (req, _) => Guard(() => orchestrator.CreateAsync(req)))
        .AddUnary<GetRequest, Sandbox>(Prefix + "Get", GetRequest.Parser,
            (req, _) => Guard(() => Task.FromResult(orchestrator.Get(req.Id))))
        .AddUnary<ListRequest, ListResponse>(Prefix + "List", ListRequest.Parser,
            (_, _) => Guard(() => Task.FromResult(new ListResponse { Sandboxes = { orchestrator.List() } })))
        .AddServerStreaming<ExecuteRequest, ExecuteResponse>(Prefix + "Execute", ExecuteRequest.Parser,
            (req, writer, ctx) => Guard(() => ExecuteAsync(req, writer, ctx)))
        .AddUnary<DestroyRequest, DestroyResponse>(Prefix + "Destroy", DestroyRequest.Parser,
            (req, _) => Guard(async () => new DestroyResponse { Existed = await orchestrator.DestroyAsync(req.Id).ConfigureAwait(false) }))
        .AddUnary<UpdateNetworkPolicyRequest, Sandbox>(Prefix + "UpdateNetworkPolicy", UpdateNetworkPolicyRequest.Parser,
            (req, _) => Guard(() => Task.FromResult(orchestrator.UpdateNetworkPolicy(req))));

    private async Task<ExitStatus> ExecuteAsync(ExecuteRequest req, IServerStreamWriter<ExecuteResponse> writer, GrpcCallContext ctx)
    {
        var outcome = await orchestrator.ExecuteAsync(req, (stream, data) =>
        {
            var chunk = ByteString.CopyFrom(data.Span);
            var msg = stream == OutputStream.Stdout ? new ExecuteResponse { Stdout = chunk } : new ExecuteResponse { Stderr = chunk };
            return new ValueTask(writer.WriteAsync(msg));
        }, ctx.CancellationToken).ConfigureAwait(false);
        var result = outcome.Result;
        var exit = new ExitStatus
        {
            ExecutionId = outcome.ExecutionId,
            OomKilled = outcome.OomKilled,
            PidsLimitHit = outcome.PidsLimitHit,
            ExitCode = result.ExitCode,
            Signal = result.Signal,
            TimedOut = result.TimedOut,
            WallTimeUs = (long)result.WallTime.TotalMicroseconds,
            UserCpuUs = result.UserCpuUs,
            SystemCpuUs = result.SystemCpuUs,
            PeakMemoryBytes = result.PeakMemoryBytes,
        };
        await writer.WriteAsync(new ExecuteResponse { Exit = exit }).ConfigureAwait(false);
        return exit;
    }

    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (ErrorMapping.ToRpc(e) is { } rpc)
        {
            throw rpc;
        }
    }

    private static async Task Guard(Func<Task> call) => await Guard(async () => { await call().ConfigureAwait(false); return 0; }).ConfigureAwait(false);
}
