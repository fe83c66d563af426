using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Sandboxd.Core.State;

namespace Sandboxd.Core.Orchestration;

/// <summary>Idle auto-stop, TTL and the sweeper of stuck transitions, on one periodic tick that
/// reads every deadline off the injected TimeProvider.
/// Activity (what keeps a sandbox from idling): an execution running (Execute, or a started
/// execution that has not exited, terminals included), any call on one of its executions (input,
/// attach, signal, resize), a file API call, a create or a resume.</summary>
public sealed partial class Orchestrator
{
    private readonly CancellationTokenSource _timersStop = new();
    private readonly ConcurrentDictionary<string, long> _warned = new();
    private Task? _timers;

    /// <summary>Unary Execute calls in flight per sandbox: running executions are activity.</summary>
    private readonly ConcurrentDictionary<LiveSandbox, int> _executing = new();

    /// <summary>Called at daemon start, after the sweep of leftovers.</summary>
    public void StartTimers() => _timers ??= Task.Run(TimersAsync);

    private async Task TimersAsync()
    {
        using var timer = new PeriodicTimer(lifecycle.Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_timersStop.Token).ConfigureAwait(false))
            {
                try
                {
                    await TickAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    LogTimerFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private void StopTimers() => _timersStop.Cancel();

    /// <summary>One look at every deadline.</summary>
    private async Task TickAsync()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var live in _live.Values.ToList())
        {
            if (await TtlAsync(live.Record, now).ConfigureAwait(false))
                continue;
            await IdleAsync(live, now).ConfigureAwait(false);
        }
        foreach (var stopped in store.Stopped())
            await TtlAsync(stopped, now).ConfigureAwait(false);
        SweepStuck(now);
    }

    /// <summary>True when the TTL destroyed it; warns watchers once per deadline before.</summary>
    private async Task<bool> TtlAsync(SandboxRecord record, long now)
    {
        if (record.DeadlineUnixMs <= 0)
            return false;
        long remaining = record.DeadlineUnixMs - now;
        if (remaining <= 0)
        {
            _warned.TryRemove(record.Id, out _);
            await DestroyAsync(record.Id, null, "ttl").ConfigureAwait(false);
            return true;
        }
        if (remaining <= lifecycle.TtlWarning.TotalMilliseconds && _warned.GetValueOrDefault(record.Id) != record.DeadlineUnixMs)
        {
            _warned[record.Id] = record.DeadlineUnixMs;
            watchers.Publish(record.Id, new SandboxWatchEvent(SandboxWatchKind.TtlWarning, View(record), remaining));
            LogTtlWarning(record.Id, remaining);
        }
        return false;
    }

    private async Task IdleAsync(LiveSandbox live, long now)
    {
        var idle = IdleTimeoutOf(live.Record);
        if (idle <= 0 || live.Record.State != SandboxState.Running)
            return;
        if (live.LastActivityUnixMs == 0 || Busy(live))
        {
            live.Touch(now);
            return;
        }
        if (now - live.LastActivityUnixMs >= idle)
            await StopAsync(live.Record.Id, IdleCause).ConfigureAwait(false);
    }

    private const string IdleCause = "idle";

    private bool StillIdle(LiveSandbox live) =>
        !Busy(live) && clock.GetUtcNow().ToUnixTimeMilliseconds() - live.LastActivityUnixMs >= IdleTimeoutOf(live.Record);

    private long IdleTimeoutOf(SandboxRecord record) =>
        record.IdleTimeoutMs > 0 ? record.IdleTimeoutMs : (long)lifecycle.IdleTimeout.TotalMilliseconds;

    private bool Busy(LiveSandbox live) =>
        _executing.GetValueOrDefault(live) > 0 || live.Executions.All().Any(e => !e.Exit.IsCompleted);

    /// <summary>The hook every activity calls: a file API call, a call on an execution.</summary>
    internal void NoteActivity(LiveSandbox live) => live.Touch(clock.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>Around a unary Execute: the sandbox is active while it runs.</summary>
    private Executing Execution(LiveSandbox live)
    {
        NoteActivity(live);
        _executing.AddOrUpdate(live, 1, (_, n) => n + 1);
        return new Executing(this, live);
    }

    private readonly struct Executing(Orchestrator orchestrator, LiveSandbox live) : IDisposable
    {
        public void Dispose()
        {
            orchestrator._executing.AddOrUpdate(live, 0, (_, n) => n - 1);
            orchestrator.NoteActivity(live);
            if (orchestrator._executing.TryGetValue(live, out var n) && n <= 0)
                orchestrator._executing.TryRemove(new KeyValuePair<LiveSandbox, int>(live, n));
        }
    }

    /// <summary>Before an Execute, a started execution or a file call: a sandbox stopped for
    /// being idle resumes by itself (cause "auto-resume"). One stopped by a call stays stopped.</summary>
    internal async Task AwakeAsync(string field, string id)
    {
        RequestChecks.SandboxId(field, id);
        if (_live.ContainsKey(id))
            return;
        if (VisibleRecord(store.Find(id)) is { State: SandboxState.Stopped, StateCause: IdleCause })
            await ResumeAsync(id, "auto-resume").ConfigureAwait(false);
    }

    /// <summary>Moves the TTL later (never earlier): from the current deadline, or from now when
    /// there is none or it has passed while the timers had not yet seen it.</summary>
    public SandboxView ExtendTtl(string id, ulong extendMs)
    {
        RequestChecks.SandboxId("id", id);
        if (extendMs == 0 || extendMs > MaxTtlMs)
            throw new InvalidFieldException("extend_ms", "must be more than 0 and at most ten years");
        return MoveDeadline(id, "extend its TTL", (current, now) => Math.Max(current, now) + (long)extendMs);
    }

    /// <summary>Sets the TTL to end ttlMs from now, earlier or later than it was (E2B's
    /// setTimeout: a sandbox's timeout counts from the call).</summary>
    public SandboxView SetTtl(string id, ulong ttlMs)
    {
        RequestChecks.SandboxId("id", id);
        if (ttlMs == 0 || ttlMs > MaxTtlMs)
            throw new InvalidFieldException("timeout", "must be more than 0 and at most ten years");
        return MoveDeadline(id, "set its TTL", (_, now) => now + (long)ttlMs);
    }

    private static readonly ulong MaxTtlMs = (ulong)TimeSpan.FromDays(3650).TotalMilliseconds;

    private SandboxView MoveDeadline(string id, string verb, Func<long, long, long> deadlineFrom)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        TryGetVisible(id, out var live);
        var record = live?.Record ?? VisibleRecord(store.Find(id)) ?? throw new SandboxNotFoundException(id);
        if (record.State is SandboxState.Destroyed or SandboxState.Destroying or SandboxState.Failed)
            throw new SandboxStateException(id, record.State, verb);
        var deadline = deadlineFrom(record.DeadlineUnixMs, now);
        store.SetDeadline(id, deadline);
        if (live is not null)
            live.Record = live.Record with { DeadlineUnixMs = deadline };
        var sandbox = live is not null ? View(live) : View(store.Find(id)!);
        watchers.Publish(id, new SandboxWatchEvent(SandboxWatchKind.TtlExtended, sandbox, deadline - now));
        LogTtlExtended(id, deadline);
        return sandbox;
    }

    /// <summary>A create's ttl_ms: at most ten years (the deadline is its plan's TTL from the create).</summary>
    private static void CheckTtl(CreateSandbox request)
    {
        if (request.TtlMs > MaxTtlMs)
            throw new InvalidFieldException("ttl_ms", "at most ten years");
    }

    /// <summary>WatchSandbox: the sandbox now, then its events until it is destroyed (or the call ends).</summary>
    public async IAsyncEnumerable<SandboxWatchEvent> WatchAsync(string id, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        var channel = watchers.Subscribe(id);
        try
        {
            var current = Get(id);
            yield return new SandboxWatchEvent(SandboxWatchKind.Current, current);
            if (current.State is SandboxState.Destroyed or SandboxState.Failed)
                yield break;
            await foreach (var e in channel.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                yield return e;
                if (e.Kind == SandboxWatchKind.StateChanged && e.Sandbox.State == SandboxState.Destroyed)
                    yield break;
            }
        }
        finally
        {
            watchers.Unsubscribe(id, channel);
        }
    }

    /// <summary>From Transition: watchers see every state change.</summary>
    private void PublishState(string id, LiveSandbox? live)
    {
        if (!watchers.Any(id))
            return;
        var sandbox = live is not null ? View(live) : store.Find(id) is { } r ? View(r) : null;
        if (sandbox is not null)
            watchers.Publish(id, new SandboxWatchEvent(SandboxWatchKind.StateChanged, sandbox));
    }

    /// <summary>A sandbox in a transitional state for longer than the bound, with no call working
    /// on it (none would take this long), is driven to a final state: failed (its resources
    /// reclaimed) or, when it was being destroyed, destroyed.</summary>
    private void SweepStuck(long now)
    {
        var bound = (long)lifecycle.StuckAfter.TotalMilliseconds;
        foreach (var record in store.Live())
        {
            if (record.State is not (SandboxState.Creating or SandboxState.Stopping or SandboxState.Resuming or SandboxState.Destroying)
                || now - record.StateChangedUnixMs < bound || _live.ContainsKey(record.Id) || pool.Holds(record.Id))
                continue;
            RemoveCgroup(record.Id);
            var stuck = $"sweeper: {SandboxStates.Name(record.State)} for {(now - record.StateChangedUnixMs) / 1000} s";
            Finish(record, record.State == SandboxState.Destroying ? SandboxState.Destroyed : SandboxState.Failed, stuck);
            owners.Forget(record.Id);
            LogSwept(record.Id, stuck);
        }
    }

    [LoggerMessage(EventId = 132, Level = LogLevel.Warning, Message = "lifecycle timers: {Error}")]
    private partial void LogTimerFailed(string error);

    [LoggerMessage(EventId = 133, Level = LogLevel.Information, Message = "sandbox {Id}: TTL deadline in {RemainingMs} ms")]
    private partial void LogTtlWarning(string id, long remainingMs);

    [LoggerMessage(EventId = 134, Level = LogLevel.Information, Message = "sandbox {Id}: TTL deadline moved to {Deadline}")]
    private partial void LogTtlExtended(string id, long deadline);

    [LoggerMessage(EventId = 135, Level = LogLevel.Warning, Message = "sandbox {Id}: {Cause}")]
    private partial void LogSwept(string id, string cause);
}
