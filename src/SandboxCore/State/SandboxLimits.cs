namespace Sandboxd.Core.State;

/// <summary>The limits a sandbox got, after the request's overrides of its profile's.</summary>
public sealed record SandboxLimits(long MemoryBytes, long Pids, double Cpus, long DiskBytes);
