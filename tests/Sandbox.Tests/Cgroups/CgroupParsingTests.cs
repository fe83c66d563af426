using Sandboxd.Isolation.Cgroups;
using Xunit;

namespace Sandboxd.Tests.Cgroups;

/// <summary>Detection and validation that need no privilege.</summary>
public class CgroupParsingTests
{
    internal const string HybridMountInfo = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime shared:5 - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
        41 31 0:38 / /sys/fs/cgroup/uni\040fied rw,relatime - cgroup2 cgroup2 rw
        """;

    [Fact]
    public void MountInfoYieldsV1ControllersAndTheV2Root()
    {
        var mounts = CgroupMounts.Parse(HybridMountInfo);

        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", mounts.V1["cpu"]);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", mounts.V1["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/memory", mounts.V1["memory"]);
        Assert.Equal("/sys/fs/cgroup/pids", mounts.V1["pids"]);
        Assert.DoesNotContain("xattr", mounts.V1.Keys);
        Assert.DoesNotContain("name=systemd", mounts.V1.Keys);
        Assert.Equal("/sys/fs/cgroup/uni fied", mounts.V2Root);
    }

    [Fact]
    public void FactoryFallsBackToV1WhenV2LacksControllers()
    {
        var mounts = CgroupMounts.Parse(HybridMountInfo) with { V2Root = "/nonexistent/cgroup2" };

        var manager = CgroupManagerFactory.Choose(mounts);

        Assert.IsType<CgroupV1Manager>(manager);
        Assert.Equal(CgroupVersion.V1, manager.Probe().Version);
    }

    [Fact]
    public void FactoryNamesWhatIsMissing()
    {
        var mounts = new CgroupMounts(new Dictionary<string, string> { ["memory"] = "/m" }, null);

        var ex = Assert.Throws<CgroupException>(() => CgroupManagerFactory.Choose(mounts));

        Assert.Contains("no cgroup2 mount", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pids, cpu", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sandboxd/abc-123")]
    [InlineData("sandboxd/test_1.x")]
    public void NamesUnderSandboxdAreAccepted(string name) => CgroupName.Validate(name);

    [Theory]
    [InlineData("abc")]
    [InlineData("sandboxd/..")]
    [InlineData("sandboxd/a/b")]
    [InlineData("sandboxd/")]
    [InlineData("other/abc")]
    [InlineData("sandboxd/a b")]
    public void NamesThatCouldTouchOtherCgroupsAreRefused(string name) =>
        Assert.Throws<ArgumentException>(() => CgroupName.Validate(name));

    [Fact]
    public void CpuQuotaInCoresBecomesCfsMicroseconds()
    {
        Assert.Equal(50_000, new CgroupLimits(CpuQuota: 0.5).CpuQuotaMicros);
        Assert.Equal(200_000, new CgroupLimits(CpuQuota: 2).CpuQuotaMicros);
        Assert.Equal(1_000, new CgroupLimits(CpuQuota: 0.001).CpuQuotaMicros);
        Assert.Null(CgroupLimits.None.CpuQuotaMicros);
    }

    [Fact]
    public void LimitsOutsideKernelRangesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgroupLimits(MemoryBytes: 0).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgroupLimits(Pids: -1).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgroupLimits(CpuQuota: 0).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgroupLimits(CpuWeight: 10_001).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CgroupLimits(IoWeight: 0).Validate());
    }
}
