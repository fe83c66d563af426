namespace Sandboxd.Isolation.Launch;

/// <summary>When a command was sent to init, when its seccomp listener reached the daemon, when
/// init said it runs and when init reaped it (Stopwatch timestamps; 0 = not reached).</summary>
public sealed record CommandTimeline(long SentAt, long ListenerAt, long StartedAt, long ExitedAt);
