namespace Sandboxd.Isolation.Cgroups;

/// <summary>What a group has used so far. A null value means this host does not expose it
/// (e.g. v2 without memory.peak, v1 without cpuacct).</summary>
/// <param name="MemoryCurrentBytes">Memory charged to the group now.</param>
/// <param name="MemoryPeakBytes">Highest charge since creation or the last <see cref="ICgroup.ResetPeak"/>.</param>
/// <param name="CpuUsageNanos">CPU time consumed by all members, user + system.</param>
/// <param name="PidsCurrent">Tasks in the group now.</param>
/// <param name="OomKills">Processes the kernel OOM-killed because of the group's memory limit.</param>
/// <param name="PidsLimitHits">Forks refused because the group was at its pids limit.</param>
public sealed record CgroupUsage(
    long? MemoryCurrentBytes,
    long? MemoryPeakBytes,
    long? CpuUsageNanos,
    long? PidsCurrent,
    long? OomKills,
    long? PidsLimitHits);
