namespace Sandboxd.Isolation.Launch;

/// <summary>One command sent to init: completes Started when it runs, Exited when it is reaped.</summary>
public sealed class PendingCommand(uint execId, ICommandTag? tag = null)
{
    private readonly TaskCompletionSource<int> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<InitEvent> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public uint ExecId { get; } = execId;

    /// <summary>The caller's handle on the command, handed every audited call it makes.</summary>
    public ICommandTag? Tag { get; } = tag;

    /// <summary>The command's pid inside the sandbox; faults when it could not start.</summary>
    public Task<int> Started => _started.Task;

    public Task<InitEvent> Exited => _exited.Task;

    /// <summary>Stopwatch timestamps of the command's way through init, for the daemon's stage
    /// breakdown (0 = not reached): sent, its seccomp listener arrived, running, reaped.</summary>
    public CommandTimeline Timeline => new(SentAt, ListenerAt, StartedAt, ExitedAt)
    {
        Init = new(StartedEvent.At(0), StartedEvent.At(1), NotifyEvent.At(0), NotifyEvent.At(1), NotifyEvent.At(2), StartedEvent.At(2)),
    };

    /// <summary>Init's STARTED and the child's NOTIFY_FD events, for their stamps.</summary>
    internal InitEvent StartedEvent { get; private set; }

    internal InitEvent NotifyEvent { get; set; }

    internal long SentAt { get; set; }

    internal long ListenerAt { get; set; }

    private long StartedAt { get; set; }

    private long ExitedAt { get; set; }

    internal void MarkStarted(InitEvent ev)
    {
        StartedEvent = ev;
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _started.TrySetResult(ev.Pid);
    }

    internal void MarkExited(InitEvent ev)
    {
        ExitedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        if (StartedAt == 0)
            StartedAt = ExitedAt;
        _started.TrySetResult(ev.Pid);
        _exited.TrySetResult(ev);
    }

    internal void Fail(Exception e)
    {
        _started.TrySetException(e);
        _exited.TrySetException(e);
        // Observed either way: a start failure is reported through Started.
        _ = _exited.Task.Exception;
    }
}
