namespace Sandboxd.Isolation.Execution;

/// <summary>How a command ended and what it cost. ExitCode is -1 when a signal ended it.</summary>
public sealed record ExecutionResult(
    int ExitCode,
    int Signal,
    bool TimedOut,
    TimeSpan WallTime,
    long UserCpuUs,
    long SystemCpuUs,
    long PeakMemoryBytes)
{
    /// <summary>The command's way through init, for the daemon's stage breakdown.</summary>
    public Launch.CommandTimeline? Timeline { get; init; }
}
