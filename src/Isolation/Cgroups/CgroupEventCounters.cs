namespace Sandboxd.Isolation.Cgroups;

/// <summary>How often the group's limits have stopped something so far; null where not exposed.</summary>
public sealed record CgroupEventCounters(long? OomKills, long? PidsLimitHits);
