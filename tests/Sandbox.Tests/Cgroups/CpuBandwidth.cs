using System.Globalization;
using Sandboxd.Isolation.Cgroups;

namespace Sandboxd.Tests.Cgroups;

/// <summary>A group's CFS bandwidth, read straight from cgroupfs rather than through the code under
/// test: the quota as written, how often the kernel throttled the group, and the most CPU time the
/// kernel can grant it over a window. What these say holds however loaded the host is; a ratio
/// lower bound would not (another process on the 2 cores takes CPU the group was allowed).</summary>
internal sealed class CpuBandwidth(string dir)
{
    /// <summary>Over-run the kernel allows past the quota, beside the periods a window cuts at each
    /// end: the group runs until the next tick notices it is out (10 ms at HZ=100), and each CPU may
    /// keep a 5 ms slice of runtime it took from the pool in an earlier period.</summary>
    private static readonly TimeSpan OverrunSlack = TimeSpan.FromMilliseconds(25);

    /// <summary>The group's directory in the hierarchy that has its cpu controller.</summary>
    public static CpuBandwidth Of(ICgroupManager manager, string name) =>
        new(Path.Combine(manager.Probe().Controllers["cpu"], name));

    /// <summary>"QUOTA PERIOD" in microseconds as v2's cpu.max writes it ("max PERIOD" for none),
    /// read from cpu.max (v2) or cpu.cfs_quota_us and cpu.cfs_period_us (v1, -1 for none).</summary>
    public string Quota
    {
        get
        {
            if (File.Exists(Path.Combine(dir, "cpu.max")))
                return Read("cpu.max");
            var quota = Read("cpu.cfs_quota_us");
            return $"{(quota == "-1" ? "max" : quota)} {Read("cpu.cfs_period_us")}";
        }
    }

    /// <summary>Periods in which the group used up its quota and was held back (cpu.stat, both versions).</summary>
    public long NrThrottled =>
        long.Parse(Read("cpu.stat").Split('\n').Single(l => l.StartsWith("nr_throttled ", StringComparison.Ordinal))
            .Split(' ')[1], CultureInfo.InvariantCulture);

    /// <summary>The most CPU time a group under a quota of <paramref name="cores"/> can get in a window of
    /// this length: the quota per period over the window, plus a whole period's quota at each end the
    /// window cuts, plus the over-run.</summary>
    public static TimeSpan MaxUsage(double cores, TimeSpan window) =>
        window * cores + 2 * cores * TimeSpan.FromMicroseconds(CgroupLimits.CpuPeriodMicros) + OverrunSlack;

    private string Read(string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();
}
