using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Api.Mapping;
using Sandboxd.Core.Orchestration;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.SandboxLifecycle on the orchestrator.</summary>
public sealed class SandboxLifecycleService(Orchestrator orchestrator) : SandboxLifecycle.SandboxLifecycleBase
{
    public override Task<Sandbox> Pause(PauseRequest request, ServerCallContext context) => Task.FromResult(orchestrator.Pause(request.Id).ToProto());

    public override Task<Sandbox> Unpause(UnpauseRequest request, ServerCallContext context) => Task.FromResult(orchestrator.Unpause(request.Id).ToProto());

    public override async Task<Sandbox> Stop(StopRequest request, ServerCallContext context) =>
        (await orchestrator.StopAsync(request.Id).ConfigureAwait(false)).ToProto();

    public override async Task<Sandbox> Resume(ResumeRequest request, ServerCallContext context) =>
        (await orchestrator.ResumeAsync(request.Id).ConfigureAwait(false)).ToProto();

    public override Task<Sandbox> ExtendTtl(ExtendTtlRequest request, ServerCallContext context) =>
        Task.FromResult(orchestrator.ExtendTtl(request.Id, request.ExtendMs).ToProto());

    public override async Task WatchSandbox(WatchSandboxRequest request, IServerStreamWriter<SandboxEvent> responseStream, ServerCallContext context)
    {
        await foreach (var e in orchestrator.WatchAsync(request.Id, context.CancellationToken).ConfigureAwait(false))
            await responseStream.WriteAsync(e.ToProto(), context.CancellationToken).ConfigureAwait(false);
    }
}
