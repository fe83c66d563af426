using System.Globalization;
using System.Text;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>A group in the v2 unified hierarchy: one directory.</summary>
internal sealed class CgroupV2 : CgroupBase
{
    private readonly CgroupDir dir;

    /// <summary>Since Linux 6.12 a write to memory.peak resets the peak only as seen through that open
    /// file, so after <see cref="ResetPeak"/> the peak is read through the same handle.</summary>
    private FileStream? peakHandle;

    public CgroupV2(string name, CgroupDir dir) : base(name, [dir])
    {
        this.dir = dir;
    }

    public override void ApplyLimits(CgroupLimits limits)
    {
        if (limits.MemoryBytes is { } memory)
        {
            WriteRequired("memory", "memory.max", memory.ToString(CultureInfo.InvariantCulture));
            if (CgroupFs.Exists(dir, "memory.swap.max"))
                CgroupFs.Write(dir, "memory.swap.max", 0);
        }
        if (limits.Pids is { } pids)
            WriteRequired("pids", "pids.max", pids.ToString(CultureInfo.InvariantCulture));
        if (limits.CpuQuotaMicros is { } quota)
            WriteRequired("cpu", "cpu.max", $"{quota} {CgroupLimits.CpuPeriodMicros}");
        if (limits.CpuWeight is { } weight)
            WriteRequired("cpu", "cpu.weight", weight.ToString(CultureInfo.InvariantCulture));
        if (limits.IoWeight is { } io)
        {
            if (CgroupFs.Exists(dir, "io.weight"))
                CgroupFs.Write(dir, "io.weight", $"default {io}");
            else if (CgroupFs.Exists(dir, "io.bfq.weight"))
                CgroupFs.Write(dir, "io.bfq.weight", $"default {Math.Clamp(io, 1, 1000)}");
        }
    }

    public override CgroupEventCounters ReadEventCounters() => new(
        OomKills: CgroupFs.TryReadKey(dir, "memory.events", "oom_kill"),
        PidsLimitHits: CgroupFs.TryReadKey(dir, "pids.events", "max"));

    public override CgroupUsage ReadUsage() => new(
        MemoryCurrentBytes: CgroupFs.TryReadLong(dir, "memory.current"),
        MemoryPeakBytes: ReadPeak(),
        CpuUsageNanos: CgroupFs.TryReadKey(dir, "cpu.stat", "usage_usec") * 1000,
        PidsCurrent: CgroupFs.TryReadLong(dir, "pids.current"),
        OomKills: CgroupFs.TryReadKey(dir, "memory.events", "oom_kill"),
        PidsLimitHits: CgroupFs.TryReadKey(dir, "pids.events", "max"));

    public override void ResetPeak()
    {
        var path = Path.Combine(dir.Path, "memory.peak");
        if (!File.Exists(path))
            return;
        peakHandle ??= TryOpen(path);
        if (peakHandle is null)
            return;
        try
        {
            peakHandle.Write("reset"u8);
        }
        catch (IOException)
        {
            // Kernels before 6.12 refuse the write: the peak stays since-creation, as documented.
        }
    }

    public override void KillAll()
    {
        if (!Directory.Exists(dir.Path))
            return;
        if (CgroupFs.Exists(dir, "cgroup.kill"))
        {
            // cgroup.kill (5.14+) kills every member atomically, fork loops included.
            CgroupFs.Write(dir, "cgroup.kill", "1");
            KillMembers(null, null);
        }
        else if (CgroupFs.Exists(dir, "cgroup.freeze"))
        {
            KillMembers(() => FreezeDir(), () => CgroupFs.Write(dir, "cgroup.freeze", "0"));
        }
        else
        {
            KillMembers(null, null);
        }
    }

    protected override void DisposeHandles() => peakHandle?.Dispose();

    public override void Freeze()
    {
        if (!CgroupFs.Exists(dir, "cgroup.freeze"))
            throw new CgroupException(dir.Context, "freeze", dir.Path, "no cgroup.freeze (Linux before 5.2): a sandbox cannot be paused");
        if (FreezeDir())
            return;
        CgroupFs.Write(dir, "cgroup.freeze", "0");
        throw new CgroupException(dir.Context, "freeze", dir.Path, "the group did not report frozen (a task in uninterruptible sleep?)");
    }

    public override void Thaw()
    {
        if (CgroupFs.Exists(dir, "cgroup.freeze"))
            CgroupFs.Write(dir, "cgroup.freeze", "0");
    }

    private bool FreezeDir()
    {
        CgroupFs.Write(dir, "cgroup.freeze", "1");
        return WaitFor(() => CgroupFs.TryReadKey(dir, "cgroup.events", "frozen") == 1);
    }

    private long? ReadPeak()
    {
        if (peakHandle is null)
            return CgroupFs.TryReadLong(dir, "memory.peak");
        var buffer = new byte[32];
        var length = RandomAccess.Read(peakHandle.SafeFileHandle, buffer, fileOffset: 0);
        return long.TryParse(Encoding.ASCII.GetString(buffer, 0, length).Trim(), CultureInfo.InvariantCulture, out var peak)
            ? peak
            : null;
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // read-only memory.peak: this kernel cannot reset it
        }
    }

    /// <summary>A limit whose file is missing means its controller is not enabled for the group: say so,
    /// rather than silently running the sandbox unlimited.</summary>
    private void WriteRequired(string controller, string file, string value)
    {
        if (!CgroupFs.Exists(dir, file))
            throw new CgroupException(dir.Context, $"write {file} \"{value}\"", Path.Combine(dir.Path, file),
                $"ENOENT: the {controller} controller is not enabled (see cgroup.controllers of the root)");
        CgroupFs.Write(dir, file, value);
    }
}
