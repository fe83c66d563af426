using Sandboxd.Audit.Events;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Core.State;

namespace Sandboxd.Core.Orchestration;

/// <summary>State transitions and the verbs that only change a sandbox's state: every transition
/// is written to the store, onto the live record and into the audit record (SandboxStateChanged
/// with from, to and cause).</summary>
public sealed partial class Orchestrator
{
    /// <summary>Records <paramref name="to"/> for a sandbox, live or not. The audit event carries the
    /// current call's correlation, or the creator's for transitions no call caused (an init that died).</summary>
    private void Transition(string id, LiveSandbox? live, SandboxState from, SandboxState to, string cause)
    {
        var at = clock.GetUtcNow().ToUnixTimeMilliseconds();
        store.SetState(id, to, at, cause);
        if (live is not null)
            live.Record = live.Record with { State = to, StateChangedUnixMs = at, StateCause = cause };
        audit.Emit(AuditKind.SandboxStateChanged, Api.CallCorrelation.Current?.Audit ?? owners.Of(id), id, null, StateChange(from, to, cause));
        PublishState(id, live);
    }

    private static Dictionary<string, string> StateChange(SandboxState from, SandboxState to, string cause) =>
        new() { ["from"] = SandboxStates.Name(from), ["to"] = SandboxStates.Name(to), ["cause"] = cause };

    /// <summary>Freezes every process of a running sandbox; paused stays paused.</summary>
    public SandboxView Pause(string id)
    {
        var live = Live(id, "pause");
        lock (live)
        {
            var state = live.Record.State;
            if (state == SandboxState.Paused)
                return View(live);
            if (state != SandboxState.Running)
                throw new SandboxStateException(id, state, "pause");
            try
            {
                live.Launched.Cgroup.Freeze();
            }
            catch (CgroupException e)
            {
                throw new SandboxStateException($"sandbox {id}: cannot pause: {e.Message}");
            }
            Transition(id, live, state, SandboxState.Paused, "paused");
        }
        return View(live);
    }

    /// <summary>Thaws a paused sandbox; running stays running.</summary>
    public SandboxView Unpause(string id)
    {
        var live = Live(id, "unpause");
        lock (live)
        {
            var state = live.Record.State;
            if (state == SandboxState.Running)
                return View(live);
            if (state != SandboxState.Paused)
                throw new SandboxStateException(id, state, "unpause");
            live.Launched.Cgroup.Thaw();
            Transition(id, live, state, SandboxState.Running, "unpaused");
        }
        return View(live);
    }

    /// <summary>The live sandbox for a verb, in the caller's tenant; one that is not live is NOT_FOUND when unknown
    /// (or another tenant's) and
    /// FAILED_PRECONDITION naming its state otherwise.</summary>
    private LiveSandbox Live(string id, string verb)
    {
        RequestChecks.SandboxId("id", id);
        if (TryGetVisible(id, out var live))
            return live;
        if (VisibleRecord(store.Find(id)) is { } record)
            throw new SandboxStateException(id, record.State, verb);
        throw new SandboxNotFoundException(id);
    }

    /// <summary>Execute needs a running sandbox. Like `docker exec` on a paused container, a paused
    /// one is refused rather than thawed behind the caller's back.</summary>
    private static void RequireRunning(LiveSandbox live, string verb)
    {
        var state = live.Record.State;
        if (state == SandboxState.Running)
            return;
        throw new SandboxStateException(live.Record.Id, state, verb, state == SandboxState.Paused ? "unpause it first" : "");
    }

    /// <summary>Destroy from the error state always works: whatever cgroup a failed sandbox left is
    /// removed and it reads destroyed. (A record still creating belongs to a create in flight.)</summary>
    private bool DestroyFailed(string id)
    {
        if (VisibleRecord(store.Find(id)) is not { State: SandboxState.Failed } record)
            return false;
        RemoveCgroup(id);
        Isolation.Filesystem.SandboxDisk.Delete(launcher.PathsFor(id));
        Transition(id, null, record.State, SandboxState.Destroyed, "destroyed");
        owners.Forget(id);
        return true;
    }
}
