using Sandboxd.Governance;
using Sandboxd.Governance.Profiles;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Governance;

/// <summary>Profile files from a real directory, role patterns and overrides merged into one spec.</summary>
public sealed class ProfileFileTests : IDisposable
{
    private readonly TempRoot _root = new();

    private string Dir => _root.Path;

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void A_profile_file_sets_every_field_over_its_base()
    {
        Write("data-science.yaml", """
            name: data-science
            extends: medium
            description: notebooks that fetch packages
            isolation: strongest
            filesystem: isolatedUpper
            network: { egress: true, allow: [pypi.org, files.pythonhosted.org], audited: true }
            seccomp: default
            userNamespace: true
            rootInside: true
            resources: { memory: 768M, cpuTime: 3m }
            mounts:
              - { source: /srv/datasets, target: /data }
            ttl: 2h
            image: debian-12
            """);
        var profile = ProfileCatalog.Create(Dir, []).Find("data-science")!;
        var expected = new RequestSpec("data-science", RiskLevel.Medium, IsolationKind.Strongest, FilesystemKind.IsolatedUpper,
            new NetworkPolicySpec(true, ["pypi.org", "files.pythonhosted.org"], true), "default", true, true,
            new SpecResources(768L << 20, TimeSpan.FromMinutes(3)), [new HostMount("/srv/datasets", "/data", true)], TimeSpan.FromHours(2), "debian-12");
        Assert.Equal(SpecEncoding.Encode(expected), SpecEncoding.Encode(profile.Spec));
        Assert.EndsWith("data-science.yaml", profile.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_create_with_a_profile_and_overrides_is_merged_in_that_order()
    {
        Write("builder.yaml", "name: builder\nextends: medium\nresources: { memory: 400M }\n");
        var catalog = ProfileCatalog.Create(Dir, []);
        var spec = catalog.Resolve("builder", [], new SpecOverrides { CpuTime = TimeSpan.FromSeconds(90), Seccomp = "strict" });
        Assert.Equal(400L << 20, spec.Resources.MemoryBytes);
        Assert.Equal(TimeSpan.FromSeconds(90), spec.Resources.CpuTime);
        Assert.Equal("strict", spec.Seccomp);
        Assert.Equal(IsolationKind.Container, spec.Isolation);
        Assert.Equal("builder", spec.Profile);
    }

    [Fact]
    public void A_create_without_a_profile_takes_its_role_pattern()
    {
        var patterns = ProfileYaml.ParsePatterns("""
            QA: { profile: low }
            Architect: { profile: medium, network: { egress: true, allow: [github.com] } }
            """, "sandboxd.yaml");
        var catalog = ProfileCatalog.Create(null, patterns);
        var architect = catalog.Resolve(null, ["Architect"], SpecOverrides.None);
        Assert.Equal("medium", architect.Profile);
        Assert.Equal(["github.com"], architect.Network.AllowedDomains);
        Assert.Equal(RiskLevel.Medium, RiskAssessor.Assess(architect, RiskPolicy.Default).Level);
        Assert.Equal(RiskLevel.Low, RiskAssessor.Assess(catalog.Resolve(null, ["QA"], SpecOverrides.None), RiskPolicy.Default).Level);
        Assert.Equal("low", catalog.Resolve(null, ["Engineer"], SpecOverrides.None).Profile);
        // A profile named in the create wins over the pattern, and the pattern's overrides do not apply to it.
        Assert.Empty(catalog.Resolve("medium", ["Architect"], SpecOverrides.None).Network.AllowedDomains);
    }

    [Fact]
    public void An_unknown_profile_is_refused_by_its_name()
    {
        var e = Assert.Throws<GovernanceException>(() => ProfileCatalog.Builtin.Resolve("nope", [], SpecOverrides.None));
        Assert.Equal(GovernanceError.UnknownProfile, e.Error);
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: x\nresources:\n  memroy: 1G\n", "resources.memroy", 3, "unknown key")]
    [InlineData("name: x\nresources:\n  memory: lots\n", "resources.memory", 3, "not a size")]
    [InlineData("name: x\nttl: forever\n", "ttl", 2, "not a duration")]
    [InlineData("name: x\nisolation: vm\n", "isolation", 2, "one of process, container, strongest")]
    [InlineData("name: x\nuserNamespace: maybe\n", "userNamespace", 2, "not true or false")]
    [InlineData("name: x\nextends: huge\n", "extends", 2, "no profile 'huge'")]
    [InlineData("description: nameless\n", "name", 1, "missing")]
    [InlineData("name: x\nmounts:\n  - { source: relative/dir }\n", "mounts[0].source", 3, "not an absolute path")]
    [InlineData("name: x\nnetwork: { allow: [a.example] }\n", "network.allow", 2, "needs egress")]
    [InlineData("name: x\nnetwork: { egress: true, allow: a.example }\n", "network.allow", 2, "expected a list")]
    [InlineData("name: x\nresources: [1, 2]\n", "resources", 2, "expected a mapping")]
    [InlineData("name: x\nseccomp: [a]\n", "seccomp", 2, "expected a single value")]
    [InlineData("name: x\n  bad: indent\n", "", 2, "not YAML")]
    public void A_bad_profile_file_names_its_file_key_and_line(string yaml, string key, int line, string problem)
    {
        var path = Write("bad.yaml", yaml);
        var e = Assert.Throws<ProfileFileException>(() => ProfileCatalog.Create(Dir, []));
        Assert.Equal(path, e.File);
        Assert.Equal(key, e.Key);
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:{line}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_profile_of_one_name_is_refused()
    {
        Write("a.yaml", "name: shared\n");
        var second = Write("b.yaml", "name: shared\n");
        var e = Assert.Throws<ProfileFileException>(() => ProfileCatalog.Create(Dir, []));
        Assert.Equal(second, e.File);
        Assert.Contains("a.yaml", e.Message, StringComparison.Ordinal);
        Write("b.yaml", "name: low\n");
        File.Delete(Path.Combine(Dir, "a.yaml"));
        Assert.Contains("built-ins", Assert.Throws<ProfileFileException>(() => ProfileCatalog.Create(Dir, [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_pattern_names_its_role_and_line()
    {
        var e = Assert.Throws<ProfileFileException>(() => ProfileYaml.ParsePatterns("QA: { profile: low }\nPM: { profle: low }\n", "sandboxd.yaml"));
        Assert.Equal("PM.profle", e.Key);
        Assert.Equal(2, e.Line);
    }

    public void Dispose() => _root.Dispose();
}
