namespace Sandboxd.Isolation.Cgroups;

/// <summary>Makes per-sandbox cgroups in one hierarchy (v1 or v2). Only ever touches groups
/// under "sandboxd/".</summary>
public interface ICgroupManager
{
    /// <summary>Creates "sandboxd/&lt;id&gt;" (and the "sandboxd" parent where missing) and writes the limits.
    /// Throws <see cref="CgroupException"/> if it already exists; a failed create leaves nothing behind.</summary>
    ICgroup Create(string name, CgroupLimits limits);

    /// <summary>Attaches to an existing group, e.g. a leftover after a crash, so it can be killed and removed.</summary>
    ICgroup Open(string name);

    /// <summary>Which version and controllers this manager works with, and what is missing.</summary>
    CgroupSupport Probe();

    /// <summary>Names ("sandboxd/x") of groups that exist now, so the daemon can clean up after a crash.</summary>
    IEnumerable<string> ListLeftovers();
}
