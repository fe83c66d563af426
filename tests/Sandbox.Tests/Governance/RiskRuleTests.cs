using Sandboxd.Governance.Profiles;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using Xunit;

namespace Sandboxd.Tests.Governance;

/// <summary>Each rule on its own, from the LOW built-in (which no rule flags) changed in one field.</summary>
public sealed class RiskRuleTests
{
    private static readonly RequestSpec Low = BuiltinProfiles.Low.Spec;

    private static RiskAssessment Assess(RequestSpec spec, RiskPolicy? policy = null) => RiskAssessor.Assess(spec, policy ?? RiskPolicy.Default);

    private static void AssertOnly(RequestSpec spec, string rule, RiskLevel level, string reasonPart, RiskPolicy? policy = null)
    {
        var assessment = Assess(spec, policy);
        var finding = Assert.Single(assessment.Findings);
        Assert.Equal(rule, finding.Rule);
        Assert.Equal(level, finding.Level);
        Assert.Contains(reasonPart, finding.Reason, StringComparison.Ordinal);
        Assert.Equal(level, assessment.Level);
    }

    [Fact]
    public void The_low_builtin_has_no_finding_and_is_low()
    {
        var assessment = Assess(Low);
        Assert.Empty(assessment.Findings);
        Assert.Equal(RiskLevel.Low, assessment.Level);
    }

    [Fact]
    public void Each_builtin_assesses_to_its_own_level()
    {
        foreach (var profile in BuiltinProfiles.All)
            Assert.Equal(profile.Floor, Assess(profile.Spec).Level);
    }

    [Fact]
    public void Egress_is_medium() =>
        AssertOnly(Low with { Isolation = IsolationKind.Container, Network = new NetworkPolicySpec(true, ["pypi.org"], false) },
            "egress", RiskLevel.Medium, "1 domain");

    [Fact]
    public void A_wildcard_domain_is_high()
    {
        var assessment = Assess(Low with { Isolation = IsolationKind.Container, Network = new NetworkPolicySpec(true, ["*.github.com", "pypi.org"], false) });
        var finding = Assert.Single(assessment.Findings, f => f.Rule == "open-allowlist");
        Assert.Contains("*.github.com", finding.Reason, StringComparison.Ordinal);
        Assert.Equal(RiskLevel.High, assessment.Level);
    }

    [Fact]
    public void Many_domains_are_high_and_the_threshold_itself_is_not()
    {
        string[] domains = [.. Enumerable.Range(0, 11).Select(i => $"host{i}.example")];
        var open = Low with { Isolation = IsolationKind.Container, Network = new NetworkPolicySpec(true, domains, false) };
        Assert.Equal(RiskLevel.High, Assess(open).Level);
        Assert.Contains(Assess(open).Findings, f => f.Rule == "open-allowlist" && f.Reason.Contains("11 allowed", StringComparison.Ordinal));
        var atLimit = open with { Network = new NetworkPolicySpec(true, domains[..10], false) };
        Assert.Equal(RiskLevel.Medium, Assess(atLimit).Level);
    }

    [Fact]
    public void A_read_only_host_mount_is_high() =>
        AssertOnly(Low with { Mounts = [new HostMount("/srv/data", "/data", ReadOnly: true)] }, "host-mounts", RiskLevel.High, "/srv/data -> /data");

    [Fact]
    public void A_writable_host_mount_is_critical() =>
        AssertOnly(Low with { Mounts = [new HostMount("/srv/data", "/data", true), new HostMount("/home/x", "/work", false)] },
            "host-mounts", RiskLevel.Critical, "writable host mount(s): /home/x -> /work");

    [Fact]
    public void A_relaxed_seccomp_profile_is_medium() =>
        AssertOnly(Low with { Seccomp = "permissive" }, "seccomp", RiskLevel.Medium, "'permissive' is relaxed");

    [Fact]
    public void Seccomp_off_is_high() =>
        AssertOnly(Low with { Seccomp = RequestSpec.SeccompOff }, "seccomp", RiskLevel.High, "off");

    [Fact]
    public void User_namespace_off_is_medium() =>
        AssertOnly(Low with { UserNamespace = false }, "user-namespace-off", RiskLevel.Medium, "host ids");

    [Fact]
    public void Root_inside_a_user_namespace_is_medium() =>
        AssertOnly(Low with { RootInside = true }, "root-inside", RiskLevel.Medium, "mapped");

    [Fact]
    public void Root_without_a_user_namespace_is_high()
    {
        var assessment = Assess(Low with { RootInside = true, UserNamespace = false });
        Assert.Equal(RiskLevel.High, Assert.Single(assessment.Findings, f => f.Rule == "root-inside").Level);
        Assert.Equal(RiskLevel.High, assessment.Level);
    }

    [Theory]
    [InlineData(256, RiskLevel.Low)]
    [InlineData(257, RiskLevel.Medium)]
    [InlineData(512, RiskLevel.Medium)]
    [InlineData(1024, RiskLevel.High)]
    [InlineData(2048, RiskLevel.Critical)]
    [InlineData(4096, RiskLevel.Critical)]
    public void Memory_follows_the_risk_table(long mib, RiskLevel level)
    {
        var assessment = Assess(Low with { Resources = Low.Resources with { MemoryBytes = mib << 20 } });
        Assert.Equal(level, assessment.Level);
        if (level > RiskLevel.Low)
            Assert.Equal("memory", Assert.Single(assessment.Findings).Rule);
    }

    [Theory]
    [InlineData(30, RiskLevel.Low)]
    [InlineData(31, RiskLevel.Medium)]
    [InlineData(300, RiskLevel.High)]
    [InlineData(301, RiskLevel.Critical)]
    public void Cpu_time_follows_the_risk_table(int seconds, RiskLevel level) =>
        Assert.Equal(level, Assess(Low with { Resources = Low.Resources with { CpuTime = TimeSpan.FromSeconds(seconds) } }).Level);

    [Fact]
    public void Unlimited_cpu_time_is_critical() =>
        AssertOnly(Low with { Resources = Low.Resources with { CpuTime = null } }, "cpu-time", RiskLevel.Critical, "unlimited");

    [Fact]
    public void A_long_ttl_is_medium() =>
        AssertOnly(Low with { Ttl = TimeSpan.FromDays(2) }, "long-ttl", RiskLevel.Medium, "longer than");

    [Fact]
    public void No_ttl_is_medium() =>
        AssertOnly(Low with { Ttl = null }, "long-ttl", RiskLevel.Medium, "until destroyed");

    [Fact]
    public void An_image_outside_the_trusted_set_is_medium_and_one_inside_is_not()
    {
        var policy = RiskPolicy.Default with { TrustedImages = new HashSet<string>(["debian-12"], StringComparer.Ordinal) };
        AssertOnly(Low with { Image = "random/thing" }, "untrusted-image", RiskLevel.Medium, "'random/thing'", policy);
        Assert.Empty(Assess(Low with { Image = "debian-12" }, policy).Findings);
        Assert.Empty(Assess(Low with { Image = "random/thing" }).Findings);
    }

    [Fact]
    public void Process_isolation_with_a_writable_root_is_medium() =>
        AssertOnly(Low with { Filesystem = FilesystemKind.ReadWriteUpper }, "weak-isolation", RiskLevel.Medium, "process isolation");

    [Fact]
    public void A_profile_declared_high_stays_high() =>
        AssertOnly(Low with { Profile = "gpu", ProfileFloor = RiskLevel.High }, "profile-floor", RiskLevel.High, "'gpu' is declared HIGH");

    [Fact]
    public void The_level_is_the_highest_finding_and_every_finding_is_kept()
    {
        var assessment = Assess(Low with { UserNamespace = false, Seccomp = RequestSpec.SeccompOff, Mounts = [new HostMount("/a", "/a", false)] });
        Assert.Equal(RiskLevel.Critical, assessment.Level);
        Assert.Equal(["host-mounts", "seccomp", "user-namespace-off"], assessment.Findings.Select(f => f.Rule).Order(StringComparer.Ordinal));
    }
}
