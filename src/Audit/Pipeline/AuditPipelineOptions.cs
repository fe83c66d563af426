namespace Sandboxd.Audit.Pipeline;

/// <summary>Where the audit record lives and how the tiers are sized.</summary>
public sealed record AuditPipelineOptions
{
    /// <summary>Holds audit.db (warm), journal/ (spill) and cold/ (segments); e.g. {state}/audit.</summary>
    public required string Directory { get; init; }

    /// <summary>Events waiting for the warm writer before Emit spills to the journal.</summary>
    public int ChannelCapacity { get; init; } = 65_536;

    /// <summary>Most events per warm transaction.</summary>
    public int MaxBatch { get; init; } = 4_096;

    /// <summary>Rows warm's staging table may hold before the writer waits for the merger (and Emit
    /// spills to the journal meanwhile): how large a burst warm absorbs at staging speed. Queries scan
    /// the staged rows, so this also bounds their extra cost while the merger catches up (the merge
    /// starts competing with ingest for CPU at half of it).</summary>
    public int MaxStaged { get; init; } = 1_048_576;

    /// <summary>Most rows per merge transaction; the writer's commits wait while one runs.</summary>
    public int MergeChunk { get; init; } = 16_384;

    public int HotCapacity { get; init; } = 65_536;

    /// <summary>redis://host:port/ or unix:///path/redis.sock; null keeps the hot tier in memory only.</summary>
    public string? RedisUrl { get; init; }

    public string RedisStreamKey { get; init; } = "sandboxd:audit";

    /// <summary>Approximate stream length Redis keeps (XADD MAXLEN ~).</summary>
    public int RedisMaxLength { get; init; } = 100_000;

    public TimeSpan WarmRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often the migrator looks for warm events past retention; zero disables the timer.</summary>
    public TimeSpan MigrationInterval { get; init; } = TimeSpan.FromMinutes(10);

    public int ColdSegmentMaxEvents { get; init; } = 50_000;

    public string WarmPath => Path.Combine(Directory, "audit.db");

    public string JournalDirectory => Path.Combine(Directory, "journal");

    public string ColdDirectory => Path.Combine(Directory, "cold");
}
