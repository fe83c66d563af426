using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Orchestration;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.SandboxLifecycle on the orchestrator.</summary>
public sealed class SandboxLifecycleService(Orchestrator orchestrator) : SandboxLifecycle.SandboxLifecycleBase
{
    public override Task<Sandbox> Pause(PauseRequest request, ServerCallContext context) => Task.FromResult(orchestrator.Pause(request.Id));

    public override Task<Sandbox> Unpause(UnpauseRequest request, ServerCallContext context) => Task.FromResult(orchestrator.Unpause(request.Id));

    public override Task<Sandbox> Stop(StopRequest request, ServerCallContext context) => orchestrator.StopAsync(request.Id);

    public override Task<Sandbox> Resume(ResumeRequest request, ServerCallContext context) => orchestrator.ResumeAsync(request.Id);

    public override Task<Sandbox> ExtendTtl(ExtendTtlRequest request, ServerCallContext context) =>
        Task.FromResult(orchestrator.ExtendTtl(request.Id, request.ExtendMs));

    public override async Task WatchSandbox(WatchSandboxRequest request, IServerStreamWriter<SandboxEvent> responseStream, ServerCallContext context)
    {
        await foreach (var e in orchestrator.WatchAsync(request.Id, context.CancellationToken).ConfigureAwait(false))
            await responseStream.WriteAsync(e, context.CancellationToken).ConfigureAwait(false);
    }
}
