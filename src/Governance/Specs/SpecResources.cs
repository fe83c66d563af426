namespace Sandboxd.Governance.Specs;

/// <summary>Limits that bear on risk. Null CPU time: unlimited.</summary>
public sealed record SpecResources(long MemoryBytes, TimeSpan? CpuTime);
