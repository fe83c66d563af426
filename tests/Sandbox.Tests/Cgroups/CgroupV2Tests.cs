using Sandboxd.Isolation.Cgroups;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Cgroups;

/// <summary>The v2 code path against this host's cgroup2 mount, even where it has no controllers
/// (a hybrid host): grouping, cgroup.kill and rmdir work without any.</summary>
public class CgroupV2Tests
{
    private readonly string? root = CgroupMounts.Detect().V2Root;

    [RootFact]
    public void AV2GroupJoinsKillsAndRemoves()
    {
        if (root is null)
            return; // no cgroup2 mounted: nothing to exercise
        var manager = new CgroupV2Manager(root);
        var name = TestCgroups.NewName();
        var group = manager.Create(name, CgroupLimits.None);
        try
        {
            using var shell = GatedShell.RunIn(group, "sleep 60 & sleep 60 & wait");
            Assert.Contains(shell.Pid.ToString(), File.ReadAllText(Path.Combine(root, name, "cgroup.procs")));
            Assert.NotNull(group.ReadUsage().CpuUsageNanos);

            group.KillAll();

            Assert.True(shell.WaitForExit(TimeSpan.FromSeconds(2)), "the shell survived");
            Assert.Empty(File.ReadAllText(Path.Combine(root, name, "cgroup.procs")).Trim());
        }
        finally
        {
            group.Dispose();
        }
        Assert.False(Directory.Exists(Path.Combine(root, name)));
    }

    [RootFact]
    public void ALimitWithoutItsControllerFailsClearlyAndLeavesNothing()
    {
        if (root is null)
            return;
        var manager = new CgroupV2Manager(root);
        if (manager.Probe().Controllers.ContainsKey("memory"))
            return; // a full v2 host: the limit would work, which the lifecycle tests prove
        var name = TestCgroups.NewName();

        var ex = Assert.Throws<CgroupException>(() => manager.Create(name, new CgroupLimits(MemoryBytes: 1 << 26)));

        Assert.Contains("memory controller is not enabled", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, name)));
    }
}
