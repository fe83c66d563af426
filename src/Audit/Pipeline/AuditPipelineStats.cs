namespace Sandboxd.Audit.Pipeline;

/// <summary>Counters for `sandboxctl audit stats` and the tests; nothing is dropped without a count here.</summary>
public sealed class AuditPipelineStats
{
    internal long EmittedCount;
    internal long SensitiveCount;
    internal long SpilledCount;
    internal long JournaledCount;
    internal long WarmRowsCount;
    internal long WarmMergedCount;
    internal long ReplayedCount;
    internal long WarmErrorsCount;
    internal long HotStreamErrorsCount;
    internal long HotTailOutagesCount;
    internal long ColdSensitiveCount;
    internal long ColdDeferredCount;

    public long Emitted => Interlocked.Read(ref EmittedCount);

    /// <summary>Events that took the priority lane (denials, governance, high risk).</summary>
    public long Sensitive => Interlocked.Read(ref SensitiveCount);

    /// <summary>Events that found the channel full and went to the journal instead.</summary>
    public long Spilled => Interlocked.Read(ref SpilledCount);

    /// <summary>Events appended to the journal: spilled ones plus the write-through copy of sensitive ones.</summary>
    public long Journaled => Interlocked.Read(ref JournaledCount);

    /// <summary>Rows committed to warm (duplicates from journal replay are not counted twice). They
    /// are durable and queryable from their commit, first in warm's staging table.</summary>
    public long WarmRows => Interlocked.Read(ref WarmRowsCount);

    /// <summary>Rows the merger moved from warm's staging table into its indexed table.</summary>
    public long WarmMerged => Interlocked.Read(ref WarmMergedCount);

    /// <summary>Events read back from journal files into warm.</summary>
    public long Replayed => Interlocked.Read(ref ReplayedCount);

    /// <summary>Warm commits that failed (their batch went to the journal instead) and failed merges.</summary>
    public long WarmErrors => Interlocked.Read(ref WarmErrorsCount);

    /// <summary>Batches the Redis stream refused; warm still has them.</summary>
    public long HotStreamErrors => Interlocked.Read(ref HotStreamErrorsCount);

    /// <summary>Times the live tail lost the shared stream; meanwhile it shows this daemon's events
    /// only, and it resumes from where it was.</summary>
    public long HotTailOutages => Interlocked.Read(ref HotTailOutagesCount);

    /// <summary>Sensitive events sealed into cold at once, ahead of retention.</summary>
    public long ColdSensitive => Interlocked.Read(ref ColdSensitiveCount);

    /// <summary>Sensitive events that did not reach cold at once (lane full or the seal failed);
    /// warm has them and migration seals them after retention.</summary>
    public long ColdDeferred => Interlocked.Read(ref ColdDeferredCount);
}
