using Sandboxd.Audit.Pipeline;
using Sandboxd.Core.Orchestration;
using Sandboxd.Governance.Approval;
using Sandboxd.Core.State;

namespace Sandboxd.Core.Metrics;

/// <summary>Reads, at each scrape, what the metrics show as states: sandboxes by state, the warm
/// pool, the audit pipeline's counters and queue, governance's pending proposals. Counters kept
/// elsewhere (the pool's, the pipeline's) are copied with IncTo, so they stay monotonic.</summary>
public static class ScrapeSources
{
    // Every state a sandbox can be in while the daemon holds it; a state no sandbox is in shows 0.
    private static readonly SandboxState[] States =
        Enum.GetValues<SandboxState>().Where(s => s is not (SandboxState.Unspecified or SandboxState.Destroyed)).ToArray();

    public static void Attach(DaemonMetrics metrics, Orchestrator orchestrator, WarmPool pool, AuditPipeline audit, IPendingProposals governance)
    {
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            var byState = orchestrator.CountByState();
            foreach (var state in States)
                metrics.Sandboxes.WithLabels(SandboxStates.Name(state)).Set(byState.GetValueOrDefault(state));

            // One series per lane (profile, image, plain or egress network), as Pools.List shows them.
            foreach (var lane in pool.Lanes)
            {
                string[] labels = [lane.Key.Profile, lane.Key.Image.Length == 0 ? "default" : lane.Key.Image, lane.Key.Egress ? "egress" : "none"];
                metrics.PoolHits.WithLabels(labels).IncTo(lane.Hits);
                metrics.PoolMisses.WithLabels(labels).IncTo(lane.Misses);
                metrics.PoolReady.WithLabels(labels).Set(lane.Ready);
            }

            var stats = audit.Stats;
            metrics.AuditEmitted.IncTo(stats.Emitted);
            metrics.AuditSpilled.IncTo(stats.Spilled);
            metrics.AuditWarmErrors.IncTo(stats.WarmErrors);
            var depth = audit.QueueDepth();
            metrics.AuditQueueDepth.WithLabels("normal").Set(depth.Normal);
            metrics.AuditQueueDepth.WithLabels("sensitive").Set(depth.Sensitive);
            metrics.AuditQueueDepth.WithLabels("spill").Set(depth.Spill);
            metrics.AuditQueueDepth.WithLabels("cold").Set(depth.Cold);
            metrics.AuditWarmLag.Set(audit.Warm.StagedCount());

            metrics.GovernancePending.Set(governance.PendingCount());
        });
    }
}
