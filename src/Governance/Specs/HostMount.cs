namespace Sandboxd.Governance.Specs;

/// <summary>A host directory bound into the sandbox.</summary>
public sealed record HostMount(string Source, string Target, bool ReadOnly);
