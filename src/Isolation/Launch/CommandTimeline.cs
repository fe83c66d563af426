namespace Sandboxd.Isolation.Launch;

/// <summary>When a command was sent to init, when its seccomp listener reached the daemon, when
/// init said it runs and when init reaped it (Stopwatch timestamps; 0 = not reached). Init's own
/// stamps (CLOCK_MONOTONIC, the Stopwatch clock on Linux) place the steps between: init received
/// the request, fork returned, the child began, finished its setup, installed its filter, and
/// its execve finished.</summary>
public sealed record CommandTimeline(long SentAt, long ListenerAt, long StartedAt, long ExitedAt)
{
    public InitStamps Init { get; init; } = new();
}

/// <summary>Init's stamps of one command (see <see cref="CommandTimeline"/>; 0 = not reported).</summary>
public sealed record InitStamps(long ReceivedAt = 0, long ForkedAt = 0, long ChildAt = 0, long SetupAt = 0, long FilterAt = 0, long ExecvedAt = 0);
