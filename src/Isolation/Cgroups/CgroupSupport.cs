namespace Sandboxd.Isolation.Cgroups;

/// <summary>What a manager can do on this host, for a preflight / doctor message.</summary>
/// <param name="Version">The hierarchy the manager drives.</param>
/// <param name="Controllers">Controller name → its hierarchy root; a group "sandboxd/x" lives at root/sandboxd/x (v2: one root for all).</param>
/// <param name="Missing">Required controllers (memory, pids, cpu) that are not available; empty when usable.</param>
/// <param name="Notes">What works differently here, e.g. no freezer, no swap accounting.</param>
public sealed record CgroupSupport(
    CgroupVersion Version,
    IReadOnlyDictionary<string, string> Controllers,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Notes)
{
    /// <summary>The controllers every sandbox group needs, on either version.</summary>
    public static IReadOnlyList<string> Required { get; } = ["memory", "pids", "cpu"];

    public bool IsUsable => Missing.Count == 0;

    /// <summary>One line, e.g. "cgroup v1: memory, pids, cpu, cpuacct, freezer, blkio; missing: none".</summary>
    public override string ToString()
    {
        var version = Version == CgroupVersion.V1 ? "v1" : "v2";
        var have = Controllers.Count == 0 ? "no controllers" : string.Join(", ", Controllers.Keys);
        var missing = Missing.Count == 0 ? "none" : string.Join(", ", Missing);
        var notes = Notes.Count == 0 ? "" : "; " + string.Join("; ", Notes);
        return $"cgroup {version}: {have}; missing: {missing}{notes}";
    }
}
