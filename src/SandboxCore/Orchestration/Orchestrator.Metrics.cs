using Sandboxd.Core.State;

namespace Sandboxd.Core.Orchestration;

/// <summary>What the metrics read of the orchestrator at a scrape: every tenant's sandboxes, since
/// the endpoint is the host's, not a caller's.</summary>
public sealed partial class Orchestrator
{
    /// <summary>The sandboxes the daemon holds, by state (prepared pool sandboxes are the pool's, not here).</summary>
    public Dictionary<SandboxState, int> CountByState()
    {
        var counts = new Dictionary<SandboxState, int>();
        foreach (var live in _live.Values)
            counts[live.Record.State] = counts.GetValueOrDefault(live.Record.State) + 1;
        return counts;
    }
}
