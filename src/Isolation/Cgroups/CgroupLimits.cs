namespace Sandboxd.Isolation.Cgroups;

/// <summary>Per-sandbox resource limits. Null means unlimited (or: leave the kernel default).</summary>
/// <param name="MemoryBytes">Hard memory limit. Swap is switched off for the group at the same time, so
/// the limit cannot be dodged by swapping (v1 memory.memsw = limit, v2 memory.swap.max = 0).</param>
/// <param name="Pids">Maximum number of tasks (processes and threads) in the group.</param>
/// <param name="CpuQuota">CPU time in cores, e.g. 0.5 = half of one core per 100 ms period.</param>
/// <param name="CpuWeight">Relative CPU share on the v2 scale (1–10000, default 100); v1 maps it onto
/// cpu.shares so that 100 ↔ 1024, the same mapping systemd uses.</param>
/// <param name="IoWeight">Relative IO share on the v2 scale (1–10000, default 100); written only where an
/// IO weight file exists (v2 io.weight, v1 blkio.weight or blkio.bfq.weight), else ignored.</param>
public sealed record CgroupLimits(
    long? MemoryBytes = null,
    long? Pids = null,
    double? CpuQuota = null,
    int? CpuWeight = null,
    int? IoWeight = null)
{
    /// <summary>The CFS period both versions use; 100 ms is the kernel default and what runc and systemd write.</summary>
    public const long CpuPeriodMicros = 100_000;

    /// <summary>No limits at all: the group only groups (kill, usage).</summary>
    public static CgroupLimits None { get; } = new();

    /// <summary>CpuQuota as CFS quota microseconds per <see cref="CpuPeriodMicros"/>; the kernel's minimum is 1 ms.</summary>
    public long? CpuQuotaMicros =>
        CpuQuota is { } cores ? Math.Max(1_000, (long)Math.Round(cores * CpuPeriodMicros)) : null;

    /// <summary>Throws when a value is outside what the kernel accepts, before anything is written.</summary>
    public void Validate()
    {
        if (MemoryBytes is <= 0)
            throw new ArgumentOutOfRangeException(nameof(MemoryBytes), MemoryBytes, "must be positive");
        if (Pids is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Pids), Pids, "must be positive");
        if (CpuQuota is { } q && (double.IsNaN(q) || q <= 0 || q > 4096))
            throw new ArgumentOutOfRangeException(nameof(CpuQuota), CpuQuota, "must be in (0, 4096] cores");
        if (CpuWeight is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(CpuWeight), CpuWeight, "must be in 1..10000");
        if (IoWeight is < 1 or > 10_000)
            throw new ArgumentOutOfRangeException(nameof(IoWeight), IoWeight, "must be in 1..10000");
    }
}
