namespace Sandboxd.Core.Orchestration;

/// <summary>Limits a create asks for; 0 = the profile's value. Checked by <see cref="LimitsResolver"/>.</summary>
/// <param name="Cpus">CPU quota in cores (0.5 = half a core).</param>
public sealed record ResourceRequest(long MemoryBytes = 0, long Pids = 0, double Cpus = 0, long DiskBytes = 0);
