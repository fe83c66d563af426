namespace Sandboxd.Governance.Specs;

/// <summary>How strongly a sandbox is held, from the risk table. Persisted and hashed: numbers are frozen.</summary>
public enum IsolationKind
{
    /// <summary>Namespaces and a strict filter.</summary>
    Process = 1,

    /// <summary>All layers: namespaces, cgroups, overlay root, filter, network policy.</summary>
    Container = 2,

    /// <summary>The strongest backend available (today container + user namespace + strict filter).</summary>
    Strongest = 3,
}
