using Sandboxd.Isolation.Namespaces;

namespace Sandboxd.Isolation.Launch;

/// <summary>Everything native code needs to start a sandbox's init: decided here, applied there.</summary>
public sealed record LaunchSpec(
    NamespaceSet Namespaces,
    IReadOnlyList<SetupOp> Ops,
    IReadOnlyList<string> Argv,
    IReadOnlyList<string> Env)
{
    /// <summary>With a user namespace: "0 BASE COUNT" lines the parent writes before any op.</summary>
    public string? IdMap { get; init; }

    /// <summary>cgroup.procs files the parent writes the child's pid into (user namespace mode).</summary>
    public IReadOnlyList<string> JoinFiles { get; init; } = [];

    /// <summary>Host dirs the parent clones idmapped with the child's user namespace (read-only,
    /// nosuid, nodev) and hands to the child; an AttachTree op's Flags is an index here.</summary>
    public IReadOnlyList<string> IdmappedTrees { get; init; } = [];
}
