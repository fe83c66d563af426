namespace Sandboxd.Governance.Config;

/// <summary>What one tenant (or, as the admission limit, the whole host) may hold at once; null = unlimited.</summary>
public sealed record TenantQuota(int? Sandboxes, long? MemoryBytes, double? Cpus, long? DiskBytes)
{
    public static TenantQuota Unlimited { get; } = new(null, null, null, null);
}
