using Sandboxd.Core.State;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Orchestration;

/// <summary>Driving sandboxes left in a state no one is working on to a final one, with the reason
/// recorded: at daemon start for what a previous daemon left, and later for a transition stuck
/// longer than a bound (<see cref="SweepStuck"/>).</summary>
public sealed partial class Orchestrator
{
    /// <summary>After a restart or a crash. Running and paused sandboxes whose init is still there
    /// are re-adopted (Orchestrator.Readopt.cs). The rest are cleaned up: their processes killed
    /// and cgroups removed; one that was running, paused, stopping or resuming is stopped with its
    /// disk kept (resumable); one being created or destroyed is finished off. Stopped ones keep
    /// their id ranges.</summary>
    public int SweepLeftovers()
    {
        int swept = 0;
        var records = store.Live();
        var (adopted, notAdopted) = ReadoptInits(records);
        // Only this state dir's own records: another daemon on the host (say, tests beside a
        // `make run`) owns cgroups under the same parent and must not be touched.
        foreach (var record in records)
        {
            if (adopted.Any(a => a.Record.Id == record.Id))
                continue;
            if (record.State == SandboxState.Stopped && SandboxDisk.Exists(launcher.PathsFor(record.Id)))
            {
                if (record.IdRangeBase is { } kept)
                    launcher.ClaimIdRange(kept);
                continue;
            }
            // Kills what is left in it (an init that could not be re-adopted, a half-made sandbox).
            RemoveCgroup(record.Id);
            var (to, cause) = AfterRestart(record);
            if (notAdopted.TryGetValue(record.Id, out var why) && to == SandboxState.Stopped)
                cause = $"daemon restarted and could not re-adopt it ({why}); files kept";
            Finish(record, to, cause);
            swept++;
        }
        // Once nothing of the previous daemon runs on a veth without being re-adopted.
        ReattachAsync(adopted, staleEgress: records.Any(r => r.State != SandboxState.Stopped)).GetAwaiter().GetResult();
        return swept;
    }

    private (SandboxState, string) AfterRestart(SandboxRecord record)
    {
        bool disk = SandboxDisk.Exists(launcher.PathsFor(record.Id));
        return record.State switch
        {
            SandboxState.Running or SandboxState.Paused or SandboxState.Stopping or SandboxState.Resuming when disk =>
                (SandboxState.Stopped, $"daemon restarted: its processes ended with the previous daemon while {SandboxStates.Name(record.State)}; files kept"),
            SandboxState.Destroying => (SandboxState.Destroyed, "daemon restarted while destroying: destroy finished"),
            SandboxState.Creating => (SandboxState.Failed, "daemon restarted while creating"),
            _ => (SandboxState.Failed, $"daemon restarted while {SandboxStates.Name(record.State)}, and its disk image is gone"),
        };
    }

    /// <summary>Records the final (or stopped) state; whatever is not stopped loses its disk.</summary>
    private void Finish(SandboxRecord record, SandboxState to, string cause)
    {
        if (to == SandboxState.Stopped)
        {
            if (record.IdRangeBase is { } kept)
                launcher.ClaimIdRange(kept);
        }
        else
        {
            SandboxDisk.Delete(launcher.PathsFor(record.Id));
        }
        Transition(record.Id, null, record.State, to, cause);
    }

    private void RemoveCgroup(string id)
    {
        try
        {
            launcher.Cgroups.Open(CgroupName.For(id)).Dispose();
        }
        catch (CgroupException)
        {
            // Already gone with its processes.
        }
    }
}
