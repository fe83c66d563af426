namespace Sandboxd.Core.Orchestration;

/// <summary>The daemon's lifecycle timers. IdleTimeout: the default idle time after which a
/// running sandbox with no activity is stopped (zero = never; a create may set its own).
/// TtlWarning: how long before a TTL deadline watchers are warned. StuckAfter: how long a
/// sandbox may stay in a transitional state before the sweeper ends it. Tick: how often the
/// timers look (real time; deadlines are read off the daemon's TimeProvider).</summary>
public sealed record LifecycleOptions
{
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

    public TimeSpan TtlWarning { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(1);
}
