using Sandboxd.Isolation.Cgroups;
using Xunit;

namespace Sandboxd.Tests.Cgroups;

/// <summary>The v2 code path against this host's cgroup2 mount, even where it has no controllers
/// (a hybrid host): grouping, cgroup.kill and rmdir work without any.</summary>
public class CgroupV2Tests
{
    private static string Root => CgroupMounts.Detect().V2Root ?? throw new InvalidOperationException("no cgroup2 mount");

    [CgroupV2Fact]
    public void AV2GroupJoinsKillsAndRemoves()
    {
        var manager = new CgroupV2Manager(Root);
        var name = TestCgroups.NewName();
        var group = manager.Create(name, CgroupLimits.None);
        try
        {
            using var shell = GatedShell.RunIn(group, "sleep 60 & sleep 60 & wait");
            Assert.Contains(shell.Pid.ToString(), File.ReadAllText(Path.Combine(Root, name, "cgroup.procs")));
            Assert.NotNull(group.ReadUsage().CpuUsageNanos);

            group.KillAll();

            Assert.True(shell.WaitForExit(TimeSpan.FromSeconds(2)), "the shell survived");
            Assert.Empty(File.ReadAllText(Path.Combine(Root, name, "cgroup.procs")).Trim());
        }
        finally
        {
            group.Dispose();
        }
        Assert.False(Directory.Exists(Path.Combine(Root, name)));
    }

    [CgroupV2Fact]
    public void ALimitWithoutItsControllerFailsClearlyAndLeavesNothing()
    {
        // A directory no controller reaches, on any v2 host: the child of a group of our own, whose
        // cgroup.subtree_control starts empty. A full v2 host runs this too instead of skipping it.
        using var holder = new CgroupV2Manager(Root).Create(TestCgroups.NewName(), CgroupLimits.None);
        var bare = Path.Combine(Root, holder.Name, "bare");
        Directory.CreateDirectory(bare);
        try
        {
            var manager = new CgroupV2Manager(bare);
            Assert.DoesNotContain("memory", manager.Probe().Controllers.Keys);
            var name = TestCgroups.NewName();

            var ex = Assert.Throws<CgroupException>(() => manager.Create(name, new CgroupLimits(MemoryBytes: 1 << 26)));

            Assert.Contains("memory controller is not enabled", ex.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetDirectories(bare));
        }
        finally
        {
            RemoveGroups(bare);
        }
    }

    /// <summary>rmdir from the leaves up, so whatever a broken create left under it goes too
    /// (cgroupfs has no recursive delete: its files go with their directory).</summary>
    private static void RemoveGroups(string dir)
    {
        foreach (var child in Directory.GetDirectories(dir))
            RemoveGroups(child);
        Directory.Delete(dir);
    }
}
