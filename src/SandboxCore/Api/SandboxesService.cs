using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Api.Mapping;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Execution;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.Sandboxes on the orchestrator. Failures become statuses in the error
/// interceptor, so the handlers are the happy path only.</summary>
public sealed class SandboxesService(Orchestrator orchestrator, StageTimings timings) : Sandboxes.SandboxesBase
{
    public override async Task<Sandbox> Create(CreateRequest request, ServerCallContext context)
    {
        var stages = timings.Begin("create");
        var sandbox = await orchestrator.CreateAsync(request.FromProto(), stages).ConfigureAwait(false);
        timings.End(stages);
        return sandbox.ToProto();
    }

    public override Task<Sandbox> Get(GetRequest request, ServerCallContext context) => Task.FromResult(orchestrator.Get(request.Id).ToProto());

    public override Task<ListResponse> List(ListRequest request, ServerCallContext context) =>
        Task.FromResult(new ListResponse { Sandboxes = { orchestrator.List().Select(s => s.ToProto()) } });

    public override async Task<DestroyResponse> Destroy(DestroyRequest request, ServerCallContext context)
    {
        var stages = timings.Begin("destroy");
        var existed = await orchestrator.DestroyAsync(request.Id, stages).ConfigureAwait(false);
        timings.End(stages);
        return new() { Existed = existed };
    }

    public override Task<Sandbox> UpdateNetworkPolicy(UpdateNetworkPolicyRequest request, ServerCallContext context) =>
        Task.FromResult(orchestrator.UpdateNetworkPolicy(request.SandboxId,
            request.Policy is { } policy ? NetworkProtoMapping.FromProto(policy) : null).ToProto());

    /// <summary>Streams the command's output as it comes, then its exit status. The call's token
    /// fires when the client leaves or its grpc-timeout passes, and that kills the command.</summary>
    public override async Task Execute(ExecuteRequest request, IServerStreamWriter<ExecuteResponse> responseStream, ServerCallContext context)
    {
        var stages = timings.Begin("exec");
        using var writer = new SerializedStreamWriter<ExecuteResponse>(responseStream);
        var outcome = await orchestrator.ExecuteAsync(request.FromProto(), (stream, data) =>
        {
            var chunk = ByteString.CopyFrom(data.Span);
            var message = stream == OutputStream.Stdout ? new ExecuteResponse { Stdout = chunk } : new ExecuteResponse { Stderr = chunk };
            return new ValueTask(writer.WriteAsync(message, context.CancellationToken));
        }, context.CancellationToken, stages).ConfigureAwait(false);
        await writer.WriteLastAsync(new ExecuteResponse { Exit = outcome.ToExitStatus() }, context.CancellationToken).ConfigureAwait(false);
        stages?.Mark("response");
        timings.End(stages);
    }
}
