namespace Sandboxd.Isolation.Cgroups;

/// <summary>A group in the v1 hierarchies: one directory per controller mount.</summary>
internal sealed class CgroupV1 : CgroupBase
{
    private readonly IReadOnlyDictionary<string, CgroupDir> byController;

    public CgroupV1(string name, IReadOnlyDictionary<string, CgroupDir> byController)
        : base(name, byController.Values.Distinct().ToList())
    {
        this.byController = byController;
    }

    private CgroupDir? Memory => Dir("memory");

    public override void ApplyLimits(CgroupLimits limits)
    {
        if (limits.MemoryBytes is { } memory && Memory is { } mem)
        {
            // limit_in_bytes first: the kernel rejects memsw below the memory limit.
            CgroupFs.Write(mem, "memory.limit_in_bytes", memory);
            if (CgroupFs.Exists(mem, "memory.memsw.limit_in_bytes"))
                CgroupFs.Write(mem, "memory.memsw.limit_in_bytes", memory);
            else
                CgroupFs.Write(mem, "memory.swappiness", 0); // no swap accounting: at least keep the group off swap
        }
        if (limits.Pids is { } pids && Dir("pids") is { } pidsDir)
            CgroupFs.Write(pidsDir, "pids.max", pids);
        if (Dir("cpu") is { } cpu)
        {
            if (limits.CpuQuotaMicros is { } quota)
            {
                CgroupFs.Write(cpu, "cpu.cfs_period_us", CgroupLimits.CpuPeriodMicros);
                CgroupFs.Write(cpu, "cpu.cfs_quota_us", quota);
            }
            if (limits.CpuWeight is { } weight)
                CgroupFs.Write(cpu, "cpu.shares", Math.Clamp(weight * 1024L / 100, 2, 262_144));
        }
        if (limits.IoWeight is { } io && Dir("blkio") is { } blkio)
        {
            // blkio.weight (CFQ, 10–1000, default 500) or blkio.bfq.weight (1–1000, default 100),
            // whichever this kernel's IO scheduler offers; v2's 100 is the default on both.
            if (CgroupFs.Exists(blkio, "blkio.weight"))
                CgroupFs.Write(blkio, "blkio.weight", Math.Clamp(io * 5, 10, 1000));
            else if (CgroupFs.Exists(blkio, "blkio.bfq.weight"))
                CgroupFs.Write(blkio, "blkio.bfq.weight", Math.Clamp(io, 1, 1000));
        }
    }

    public override CgroupEventCounters ReadEventCounters() => new(
        OomKills: Memory is { } m ? CgroupFs.TryReadKey(m, "memory.oom_control", "oom_kill") : null,
        PidsLimitHits: Dir("pids") is { } p ? CgroupFs.TryReadKey(p, "pids.events", "max") : null);

    public override CgroupUsage ReadUsage()
    {
        var memory = Memory;
        var pids = Dir("pids");
        var cpuacct = Dir("cpuacct");
        return new CgroupUsage(
            MemoryCurrentBytes: memory is { } m1 ? CgroupFs.TryReadLong(m1, "memory.usage_in_bytes") : null,
            MemoryPeakBytes: memory is { } m2 ? CgroupFs.TryReadLong(m2, "memory.max_usage_in_bytes") : null,
            CpuUsageNanos: cpuacct is { } c ? CgroupFs.TryReadLong(c, "cpuacct.usage") : null,
            PidsCurrent: pids is { } p1 ? CgroupFs.TryReadLong(p1, "pids.current") : null,
            OomKills: memory is { } m3 ? CgroupFs.TryReadKey(m3, "memory.oom_control", "oom_kill") : null,
            PidsLimitHits: pids is { } p2 ? CgroupFs.TryReadKey(p2, "pids.events", "max") : null);
    }

    public override void ResetPeak()
    {
        if (Memory is not { } mem)
            return;
        CgroupFs.Write(mem, "memory.max_usage_in_bytes", 0);
        if (CgroupFs.Exists(mem, "memory.memsw.max_usage_in_bytes"))
            CgroupFs.Write(mem, "memory.memsw.max_usage_in_bytes", 0);
    }

    public override void KillAll()
    {
        if (Dir("freezer") is { } freezer && Directory.Exists(freezer.Path))
            KillMembers(() => FreezeDir(freezer), () => CgroupFs.Write(freezer, "freezer.state", "THAWED"));
        else
            KillMembers(null, null);
    }

    public override void Freeze()
    {
        var freezer = Dir("freezer") ?? throw new CgroupException(Dirs[0].Context, "freeze", Dirs[0].Path,
            "no freezer controller is mounted (v1): a sandbox cannot be paused");
        if (FreezeDir(freezer))
            return;
        CgroupFs.Write(freezer, "freezer.state", "THAWED");
        throw new CgroupException(freezer.Context, "freeze", freezer.Path, "the group did not settle FROZEN (a task in uninterruptible sleep?)");
    }

    public override void Thaw()
    {
        if (Dir("freezer") is { } freezer)
            CgroupFs.Write(freezer, "freezer.state", "THAWED");
    }

    /// <summary>FREEZING can linger on a task in uninterruptible sleep; the kill goes ahead regardless and
    /// the retry loop in KillMembers catches what the freeze missed.</summary>
    private static bool FreezeDir(CgroupDir freezer)
    {
        CgroupFs.Write(freezer, "freezer.state", "FROZEN");
        return WaitFor(() => CgroupFs.Read(freezer, "freezer.state").Trim() == "FROZEN");
    }

    private CgroupDir? Dir(string controller) =>
        byController.TryGetValue(controller, out var dir) ? dir : null;
}
