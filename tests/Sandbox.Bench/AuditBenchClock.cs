namespace Sandboxd.Bench;

/// <summary>Time that advances a fixed step per reading: a million events then span a known
/// stretch, so the time-range queries select a known share whatever the ingest speed was.</summary>
public sealed class AuditBenchClock(DateTimeOffset start, TimeSpan step) : TimeProvider
{
    private long _readings;

    public override DateTimeOffset GetUtcNow() => start + step * Interlocked.Increment(ref _readings);
}
