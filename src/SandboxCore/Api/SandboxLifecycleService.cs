using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Orchestration;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.SandboxLifecycle on the orchestrator.</summary>
public sealed class SandboxLifecycleService(Orchestrator orchestrator) : SandboxLifecycle.SandboxLifecycleBase
{
    public override Task<Sandbox> Pause(PauseRequest request, ServerCallContext context) => Task.FromResult(orchestrator.Pause(request.Id));

    public override Task<Sandbox> Unpause(UnpauseRequest request, ServerCallContext context) => Task.FromResult(orchestrator.Unpause(request.Id));
}
