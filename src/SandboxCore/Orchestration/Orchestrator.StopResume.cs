using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Sandboxd.Api.V1;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>Stop and resume. A stopped sandbox has no process, cgroup or network attachment: it
/// is its record (config, network policy, TTL, id range) and its disk image (its files), so it
/// outlives daemon restarts and host reboots; a resume launches it again on the same disk.</summary>
public sealed partial class Orchestrator
{
    /// <summary>One stop or resume at a time per sandbox; the second caller sees the first's result.</summary>
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new();

    public Task<Sandbox> StopAsync(string id) => StopAsync(id, "stopped");

    private async Task<Sandbox> StopAsync(string id, string cause)
    {
        RequestChecks.SandboxId("id", id);
        var turn = _turns.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!TryGetVisible(id, out var live))
            {
                var record = VisibleRecord(store.Find(id)) ?? throw new SandboxNotFoundException(id);
                return record.State == SandboxState.Stopped ? ToProto(record) : throw new SandboxStateException(id, record.State, "stop");
            }
            lock (live)
            {
                var state = live.Record.State;
                if (state is not (SandboxState.Running or SandboxState.Paused))
                    throw new SandboxStateException(id, state, "stop");
                // The idle timer looked a moment ago; a call that came since keeps it running.
                if (cause == IdleCause && !StillIdle(live))
                    return ToProto(live);
                // Out of the live set first: its init's death is a stop, not a failure (WatchInitAsync).
                if (!_live.TryRemove(id, out _))
                    throw new SandboxNotFoundException(id);
                Transition(id, live, state, SandboxState.Stopping, cause);
                live.Launched.Cgroup.Thaw(); // frozen processes die only once thawed
            }
            store.SetNetwork(id, live.Network.ToProto(live.Egress?.Policy ?? live.Network.Policy).ToByteArray());
            try
            {
                await networks.DetachAsync(id, live.Egress).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Its processes end regardless: a half-stopped sandbox would run outside the live set.
                LogDestroyFailed(id, "network detach on stop: " + e.Message);
            }
            live.Launched.Stop();
            live.Files.StopWatching();
            // A walk of the writable layer still running holds the disk's mount: a resume must
            // not mount the disk again before it lets go.
            await live.Files.SettledAsync().ConfigureAwait(false);
            Transition(id, live, SandboxState.Stopping, SandboxState.Stopped, cause);
            LogStopped(id, cause);
            return ToProto(store.Find(id)!);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>A stop or resume under way: destroy waits for it, then destroys what it left.</summary>
    private async Task WaitForTurnAsync(string id)
    {
        if (!_turns.TryGetValue(id, out var turn))
            return;
        await turn.WaitAsync().ConfigureAwait(false);
        turn.Release();
    }

    public Task<Sandbox> ResumeAsync(string id) => ResumeAsync(id, "resumed");

    private async Task<Sandbox> ResumeAsync(string id, string cause)
    {
        RequestChecks.SandboxId("id", id);
        var turn = _turns.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (TryGetVisible(id, out var running))
                return running.Record.State == SandboxState.Running ? ToProto(running)
                    : throw new SandboxStateException(id, running.Record.State, "resume");
            var record = VisibleRecord(store.Find(id)) ?? throw new SandboxNotFoundException(id);
            if (record.State != SandboxState.Stopped)
                throw new SandboxStateException(id, record.State, "resume");
            // Its own disk is already counted as the resumed sandbox's, not also as a kept one.
            using var reservation = admission.Reserve(record.Tenant, record.Limits, _live.Values.Select(l => l.Record),
                store.Stopped().Where(r => r.Id != id));
            Transition(id, null, SandboxState.Stopped, SandboxState.Resuming, cause);
            LiveSandbox live;
            try
            {
                live = await RelaunchAsync(record).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Its files are untouched: it stays stopped, and says why the resume failed.
                Transition(id, null, SandboxState.Resuming, SandboxState.Stopped, "resume failed: " + e.Message);
                throw;
            }
            reservation.Commit(() => _live[id] = live);
            store.Upsert(live.Record);
            Transition(id, live, SandboxState.Resuming, SandboxState.Running, cause);
            NoteActivity(live);
            _ = WatchInitAsync(live);
            LogResumed(id, live.Launched.InitPid, cause);
            return ToProto(live);
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>The same sandbox again: same id, image, hostname, profile, limits, network and
    /// policy, ids (its files are owned by them) and disk, with a new init.</summary>
    private async Task<LiveSandbox> RelaunchAsync(SandboxRecord record)
    {
        var id = record.Id;
        var profile = record.ProfileOverrides.Apply(LimitsResolver.Profile(record.Profile));
        var network = record.Network.Length > 0 ? SandboxNetwork.FromProto(NetworkConfig.Parser.ParseFrom(record.Network)) : SandboxNetwork.None;
        // The recorded image is a name (or a path): resolved again, and held while init starts on it.
        using var imageUse = UseImage(record.Image, out var rootfs, out _);
        var spec = new SandboxSpec(id, rootfs, record.Hostname, profile,
            LimitsResolver.ToCgroup(record.Limits, profile), record.Limits.DiskBytes) { KeptDisk = true, IdRangeBase = record.IdRangeBase };
        var launched = launcher.Launch(spec);
        owners.Set(id, Api.CallCorrelation.Current?.Audit ?? AuditCorrelation.None);
        launched.Channel.SyscallObserved = notice => ObserveSyscall(id, notice);
        Isolation.Network.IEgressAttachment? egress;
        try
        {
            egress = await networks.AttachAsync(id, launched.InitPid, network).ConfigureAwait(false);
        }
        catch
        {
            launched.Stop();
            throw;
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var resumed = record with { State = SandboxState.Resuming, InitPid = launched.InitPid, StateChangedUnixMs = now };
        return new LiveSandbox(resumed, launched, network, egress, new FileChangeRecorder(id, launched.Layers, audit, log));
    }

    /// <summary>Destroy of a stopped sandbox: nothing runs, so it is its disk and its id range.</summary>
    private bool DestroyStopped(string id, string? cause)
    {
        if (VisibleRecord(store.Find(id)) is not { State: SandboxState.Stopped } record)
            return false;
        Transition(id, null, record.State, SandboxState.Destroying, cause ?? "destroy requested");
        launcher.DeleteKept(id, record.IdRangeBase);
        Transition(id, null, SandboxState.Destroying, SandboxState.Destroyed, cause ?? "destroyed");
        audit.Emit(AuditKind.SandboxDestroyed, id, null);
        owners.Forget(id);
        _turns.TryRemove(id, out _);
        LogDestroyed(id);
        return true;
    }

    /// <summary>Stopped sandboxes, for List beside the live ones.</summary>
    private IEnumerable<Sandbox> VisibleStopped() => store.Stopped().Where(Visible).Select(r => ToProto(r));

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "sandbox {Id} stopped ({Cause})")]
    private partial void LogStopped(string id, string cause);

    [LoggerMessage(EventId = 131, Level = LogLevel.Information, Message = "sandbox {Id} resumed, init pid {Pid} ({Cause})")]
    private partial void LogResumed(string id, int pid, string cause);
}
