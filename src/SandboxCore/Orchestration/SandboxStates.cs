using Sandboxd.Core.State;

namespace Sandboxd.Core.Orchestration;

/// <summary>How states read in messages and audit attributes: "running", "paused", "failed".</summary>
public static class SandboxStates
{
    public static string Name(SandboxState state) => state switch
    {
        SandboxState.Unspecified => "unspecified",
        _ => state.ToString().ToLowerInvariant(),
    };
}
