using Sandboxd.Isolation.Cgroups;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Cgroups;

/// <summary>Create, limits on disk, remove, leftovers and probe, against this host's real cgroupfs.</summary>
public class CgroupLifecycleTests
{
    private const long Memory = 64L * 1024 * 1024;
    // Lazy: without root the tests skip, and detection must not fail them first on a host without cgroups.
    private readonly Lazy<ICgroupManager> lazyManager = new(() => CgroupManagerFactory.Detect());

    private ICgroupManager Manager => lazyManager.Value;

    [RootFact]
    public void LimitsAreWrittenToTheControllerFiles()
    {
        var name = TestCgroups.NewName();
        using var group = Manager.Create(name, new CgroupLimits(Memory, Pids: 16, CpuQuota: 0.5, CpuWeight: 200, IoWeight: 100));
        var support = Manager.Probe();
        string Read(string controller, string file) =>
            File.ReadAllText(Path.Combine(support.Controllers[controller], name, file)).Trim();

        if (support.Version == CgroupVersion.V1)
        {
            Assert.Equal(Memory.ToString(), Read("memory", "memory.limit_in_bytes"));
            if (File.Exists(Path.Combine(support.Controllers["memory"], name, "memory.memsw.limit_in_bytes")))
                Assert.Equal(Memory.ToString(), Read("memory", "memory.memsw.limit_in_bytes"));
            Assert.Equal("16", Read("pids", "pids.max"));
            Assert.Equal("100000", Read("cpu", "cpu.cfs_period_us"));
            Assert.Equal("50000", Read("cpu", "cpu.cfs_quota_us"));
            Assert.Equal("2048", Read("cpu", "cpu.shares"));
        }
        else
        {
            Assert.Equal(Memory.ToString(), Read("memory", "memory.max"));
            Assert.Equal("16", Read("pids", "pids.max"));
            Assert.Equal("50000 100000", Read("cpu", "cpu.max"));
            Assert.Equal("200", Read("cpu", "cpu.weight"));
        }
    }

    [RootFact]
    public void CreatingAnExistingGroupFailsAndLeavesTheFirstIntact()
    {
        var name = TestCgroups.NewName();
        using var group = Manager.Create(name, CgroupLimits.None);

        var ex = Assert.Throws<CgroupException>(() => Manager.Create(name, CgroupLimits.None));

        Assert.Contains("EEXIST", ex.Message, StringComparison.Ordinal);
        Assert.Contains(name, ex.Path, StringComparison.Ordinal);
        Assert.All(TestCgroups.DirsOf(Manager, name), dir => Assert.True(Directory.Exists(dir), dir));
    }

    [RootFact]
    public void RemoveLeavesNoDirectoryAndIsIdempotent()
    {
        var name = TestCgroups.NewName();
        var group = Manager.Create(name, new CgroupLimits(Memory, Pids: 8));
        var dirs = TestCgroups.DirsOf(Manager, name).ToList();
        Assert.NotEmpty(dirs);
        Assert.All(dirs, dir => Assert.True(Directory.Exists(dir), dir));
        Assert.Contains(name, Manager.ListLeftovers());

        group.Remove();
        group.Remove();
        group.Dispose();

        Assert.All(dirs, dir => Assert.False(Directory.Exists(dir), dir));
        Assert.DoesNotContain(name, Manager.ListLeftovers());
    }

    [RootFact]
    public void TheSharedParentGoesWithTheLastGroupUnderIt()
    {
        var first = Manager.Create(TestCgroups.NewName(), CgroupLimits.None);
        var second = Manager.Create(TestCgroups.NewName(), CgroupLimits.None);
        var parents = TestCgroups.DirsOf(Manager, first.Name).Select(d => Path.GetDirectoryName(d)!).Distinct().ToList();

        first.Dispose();
        // Another group is still under it: the parent stays.
        Assert.All(parents, parent => Assert.True(Directory.Exists(parent), parent));

        second.Dispose();
        // Gone, unless a group of someone else's (another daemon on this host) still holds it.
        Assert.All(parents, parent => Assert.False(Directory.Exists(parent) && Directory.GetDirectories(parent).Length == 0,
            $"{parent} left behind empty"));
    }

    [RootFact]
    public void ALeftoverCanBeOpenedAndCleaned()
    {
        var name = TestCgroups.NewName();
        var created = Manager.Create(name, CgroupLimits.None);
        try
        {
            using var shell = new GatedShell("sleep 60");
            created.AddProcess(shell.Pid);

            using (var leftover = Manager.Open(name))
                Assert.Equal(name, leftover.Name);

            Assert.True(shell.WaitForExit(TimeSpan.FromSeconds(2)));
            Assert.DoesNotContain(name, Manager.ListLeftovers());
        }
        finally
        {
            created.Dispose();
        }
    }

    [RootFact]
    public void AFailedWriteNamesTheHierarchyStepAndErrno()
    {
        using var group = Manager.Create(TestCgroups.NewName(), CgroupLimits.None);
        using var gone = System.Diagnostics.Process.Start("/bin/true")!;
        gone.WaitForExit();

        var ex = Assert.Throws<CgroupException>(() => group.AddProcess(gone.Id));

        Assert.Matches(@"^cgroup v[12][^:]*: write cgroup\.procs ""\d+"": ESRCH \(/", ex.Message);
        Assert.EndsWith("cgroup.procs", ex.Path, StringComparison.Ordinal);
    }

    [RootFact]
    public void ProbeDescribesThisHost()
    {
        var support = Manager.Probe();
        var v2Root = CgroupMounts.Detect().V2Root;
        var v2Controllers = v2Root is null ? "" : File.ReadAllText(Path.Combine(v2Root, "cgroup.controllers"));
        var v2Usable = CgroupSupport.Required.All(c => v2Controllers.Split(' ', '\n').Contains(c));

        Assert.True(support.IsUsable, support.ToString());
        Assert.Equal(v2Usable ? CgroupVersion.V2 : CgroupVersion.V1, support.Version);
        Assert.StartsWith(v2Usable ? "cgroup v2: " : "cgroup v1: ", support.ToString(), StringComparison.Ordinal);
        Assert.All(CgroupSupport.Required, c => Assert.True(Directory.Exists(support.Controllers[c]), c));
    }
}
