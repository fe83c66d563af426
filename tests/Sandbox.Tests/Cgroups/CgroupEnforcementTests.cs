using System.Diagnostics;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Sandboxd.Tests.Cgroups;

/// <summary>The limits hold against real processes, and usage reports what happened.</summary>
public class CgroupEnforcementTests(ITestOutputHelper output)
{
    // Lazy: without root the tests skip, and detection must not fail them first on a host without cgroups.
    private readonly Lazy<ICgroupManager> lazyManager = new(() => CgroupManagerFactory.Detect());

    private ICgroupManager Manager => lazyManager.Value;

    [RootFact]
    public void AMemoryHogIsOomKilledAndCounted()
    {
        using var group = Manager.Create(TestCgroups.NewName(), new CgroupLimits(MemoryBytes: 64L * 1024 * 1024));
        // tail keeps the last "line" in memory, and /dev/zero has no newline: it grows to 300 MB.
        using var shell = GatedShell.RunIn(group, "head -c 300M /dev/zero | tail");

        Assert.True(shell.WaitForExit(TimeSpan.FromSeconds(10)), "the hog was not stopped");
        var usage = group.ReadUsage();
        output.WriteLine($"usage: {usage}");
        Assert.True(usage.OomKills >= 1, $"oom kills: {usage.OomKills}");
        Assert.True(usage.MemoryPeakBytes >= 32L * 1024 * 1024, $"peak: {usage.MemoryPeakBytes}");

        group.ResetPeak();

        var after = group.ReadUsage();
        if (Manager.Probe().Version == CgroupVersion.V1)
            Assert.True(after.MemoryPeakBytes < 32L * 1024 * 1024, $"peak after reset: {after.MemoryPeakBytes}");
    }

    [RootFact]
    public void AForkLoopIsCappedByThePidsLimit()
    {
        using var group = Manager.Create(TestCgroups.NewName(), new CgroupLimits(Pids: 16));
        using var shell = GatedShell.RunIn(group, "i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done; wait");

        Assert.True(TestCgroups.Poll(() => group.ReadUsage().PidsLimitHits > 0, TimeSpan.FromSeconds(5)), "limit never hit");
        var usage = group.ReadUsage();
        output.WriteLine($"usage: {usage}");
        Assert.InRange(usage.PidsCurrent ?? -1, 1, 16);
        group.KillAll();

        Assert.Empty(Members(group));
        // pids.current still counts the killed tasks until their parent (init, for the orphans) reaps them.
        Assert.True(TestCgroups.Poll(() => group.ReadUsage().PidsCurrent == 0, TimeSpan.FromSeconds(2)),
            $"pids.current after KillAll: {group.ReadUsage().PidsCurrent}");
    }

    [RootFact]
    public void ABusyLoopIsThrottledAndNeverGetsMoreThanItsQuota()
    {
        // A fifth of a core: the loop uses that up each period even while other work shares the 2 cores.
        const double Quota = 0.2;
        using var group = Manager.Create(TestCgroups.NewName(), new CgroupLimits(CpuQuota: Quota));
        var bandwidth = CpuBandwidth.Of(Manager, group.Name);
        Assert.Equal("20000 100000", bandwidth.Quota);
        var throttledBefore = bandwidth.NrThrottled;
        using var shell = GatedShell.RunIn(group, "while :; do :; done");

        // The clock runs around both usage reads, so the window it measures is never shorter than theirs.
        var wall = Stopwatch.StartNew();
        var before = group.ReadUsage().CpuUsageNanos!.Value;
        Assert.True(TestCgroups.Poll(() => bandwidth.NrThrottled > throttledBefore, TimeSpan.FromSeconds(10)), "never throttled");
        Thread.Sleep(1000);
        var used = TimeSpan.FromTicks((group.ReadUsage().CpuUsageNanos!.Value - before) / 100);
        var window = wall.Elapsed;

        output.WriteLine($"used {used.TotalMilliseconds:F0} ms of CPU in {window.TotalMilliseconds:F0} ms; throttled {bandwidth.NrThrottled - throttledBefore} times");
        Assert.True(used > TimeSpan.Zero, "the loop never ran");
        Assert.True(used <= CpuBandwidth.MaxUsage(Quota, window), $"used {used} in {window}, more than the quota allows ({CpuBandwidth.MaxUsage(Quota, window)})");
    }

    [RootFact]
    public void KillAllKillsEveryMember()
    {
        using var group = Manager.Create(TestCgroups.NewName(), CgroupLimits.None);
        using var shell = GatedShell.RunIn(group, "sleep 60 & sleep 60 & sleep 60 & wait");
        Assert.True(TestCgroups.Poll(() => Members(group).Count == 4, TimeSpan.FromSeconds(5)), "children did not start");
        var members = Members(group);

        group.KillAll();

        Assert.Empty(Members(group));
        Assert.True(shell.WaitForExit(TimeSpan.FromSeconds(2)), "the shell survived");
        Assert.All(members, pid => Assert.False(Alive(pid), $"pid {pid} survived"));
    }

    /// <summary>Read straight from cgroupfs rather than through the code under test.</summary>
    private List<int> Members(ICgroup group) =>
        TestCgroups.DirsOf(Manager, group.Name)
            .Where(Directory.Exists)
            .SelectMany(dir => File.ReadAllLines(Path.Combine(dir, "cgroup.procs")))
            .Select(int.Parse)
            .Distinct()
            .ToList();

    /// <summary>Gone or a zombie awaiting its parent both count as killed.</summary>
    private static bool Alive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
