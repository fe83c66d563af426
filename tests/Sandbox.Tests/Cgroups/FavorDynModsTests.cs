using Sandboxd.Isolation.Cgroups;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Cgroups;

/// <summary>Where the favordynmods mode is read and switched, from mountinfo (no privilege needed).</summary>
public class FavorDynModsTests
{
    /// <summary>The hybrid host of the parsing tests, without its cgroup2 line.</summary>
    private static readonly string V1Lines = string.Join('\n',
        CgroupParsingTests.HybridMountInfo.Split('\n').Where(line => !line.Contains("cgroup2", StringComparison.Ordinal)));

    [Fact]
    public void A_hybrid_host_is_switched_on_its_cgroup2_mount()
    {
        var state = FavorDynMods.Parse("6.18.44", CgroupParsingTests.HybridMountInfo);
        Assert.Equal(FavorDynModsStatus.Off, state.Status);
        Assert.Equal("/sys/fs/cgroup/uni fied", state.Hierarchy);
    }

    [Fact]
    public void The_option_among_the_super_options_means_on()
    {
        var state = FavorDynMods.Parse("6.1.0", V1Lines + "\n41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,favordynmods\n");
        Assert.Equal(FavorDynModsStatus.On, state.Status);
    }

    [Fact]
    public void A_v1_only_host_uses_its_first_hierarchy()
    {
        var state = FavorDynMods.Parse("6.6.0", V1Lines);
        Assert.Equal(FavorDynModsStatus.Off, state.Status);
        Assert.Equal("/sys/fs/cgroup/cpu,cpuacct", state.Hierarchy);
    }

    [Fact]
    public void Kernels_before_6_1_do_not_have_it_and_no_hierarchy_means_nothing_to_switch()
    {
        Assert.Equal(FavorDynModsStatus.Unsupported, FavorDynMods.Parse("5.15.0-91-generic", V1Lines).Status);
        Assert.Equal(FavorDynModsStatus.NoHierarchy,
            FavorDynMods.Parse("6.18.0", "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n").Status);
    }

    /// <summary>As root: what every daemon start does (unless --no-favordynmods) leaves it on.</summary>
    [RootFact]
    public void Applying_it_as_root_leaves_the_host_with_it_on()
    {
        var state = FavorDynMods.Apply();
        Assert.True(state.Status is FavorDynModsStatus.On or FavorDynModsStatus.Unsupported, state.Detail);
        if (state.Status == FavorDynModsStatus.On)
            Assert.Equal(FavorDynModsStatus.On, FavorDynMods.Read().Status);
    }
}
