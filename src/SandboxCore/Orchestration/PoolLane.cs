using System.Collections.Concurrent;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.Orchestration;

/// <summary>The prepared sandboxes of one <see cref="PoolKey"/> and its counters.</summary>
internal sealed class PoolLane(PoolKey key, SandboxProfile profile)
{
    private long _hits, _misses;
    private int _preparing;

    public PoolKey Key { get; } = key;

    public SandboxProfile Profile { get; } = profile;

    public ConcurrentQueue<PreparedSandbox> Ready { get; } = new();

    /// <summary>How many the config (or --warm-pool / --warm-egress) asks for; 0 drains the lane.</summary>
    public volatile int Target;

    /// <summary>After a failed prepare: not retried before then (a host or image that cannot make
    /// sandboxes now is not retried in a tight loop, nor does it starve the other lanes).</summary>
    public DateTimeOffset RetryAt = DateTimeOffset.MinValue;

    public volatile string? LastError;

    public bool Preparing => Volatile.Read(ref _preparing) > 0;

    public void BeginPrepare() => Interlocked.Increment(ref _preparing);

    public void EndPrepare() => Interlocked.Decrement(ref _preparing);

    public void Hit() => Interlocked.Increment(ref _hits);

    public void Miss() => Interlocked.Increment(ref _misses);

    public PoolLaneStats Stats() => new(Key, Target, Ready.Count, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), LastError);
}
