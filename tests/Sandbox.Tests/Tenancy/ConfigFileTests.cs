using Sandboxd.Governance.Config;
using Sandboxd.Governance.Profiles;
using Xunit;

namespace Sandboxd.Tests.Tenancy;

/// <summary>sandboxd.yaml: what it declares, and errors that name the key and the line.</summary>
public sealed class ConfigFileTests
{
    private const string Good = """
        socketGroup: "60100"
        principals:
          - name: alice
            roles: [Engineer]
            tenant: team-a
            uids: [60101]
          - name: alice-ci
            person: alice
            tenant: team-a
            tokens: [sha256:0000000000000000000000000000000000000000000000000000000000000000]
        quotas:
          team-a: { sandboxes: 2, memory: 512M, cpus: 1.5, disk: 1G }
          "*": { sandboxes: 1 }
        admission: { sandboxes: 10 }
        """;

    [Fact]
    public void A_config_declares_principals_tokens_quotas_and_admission()
    {
        var config = SandboxdConfig.Parse(Good, "sandboxd.yaml");
        Assert.Equal("team-a", config.ForUid(60101)!.Tenant);
        Assert.Null(config.ForUid(60199));
        Assert.Equal("alice", config.Principals[1].Person);
        Assert.Equal(new TenantQuota(2, 512L << 20, 1.5, 1L << 30), config.QuotaOf("team-a"));
        Assert.Equal(1, config.QuotaOf("team-z").Sandboxes);
        Assert.Equal(10, config.Admission.Sandboxes);
        Assert.Equal("60100", config.SocketGroup);
    }

    [Fact]
    public void A_token_is_found_by_its_hash_only()
    {
        var token = "a-token-of-at-least-16-chars";
        var config = SandboxdConfig.Parse(Good.Replace("sha256:" + new string('0', 64), SandboxdConfig.HashToken(token)), "f");
        Assert.Equal("alice-ci", config.ForToken(token)!.Name);
        Assert.Null(config.ForToken(token + "x"));
        Assert.Null(config.ForToken(SandboxdConfig.HashToken(token)));
    }

    [Theory]
    [InlineData("uids: [60101]", "uids: [sixty]", "principals[0].uids[0]", 6, "not a uid")]
    [InlineData("tenant: team-a\n    uids", "tenant: team-a\n    colour: red\n    uids", "principals[0].colour", 6, "unknown key")]
    [InlineData("memory: 512M", "memory: lots", "quotas.team-a.memory", 12, "not a size")]
    [InlineData("tokens: [sha256:", "tokens: [plain", "principals[1].tokens[0]", 10, "not a token hash")]
    [InlineData("admission:", "admision:", "admision", 14, "unknown key")]
    [InlineData("uids: [60101]", "uids: [60101]\n  - name: other\n    uids: [60101]", "principals[1].uids[0]", 8, "already belongs to principal 'alice'")]
    public void A_bad_config_names_its_key_and_line(string good, string bad, string key, int line, string problem)
    {
        var e = Assert.Throws<ProfileFileException>(() => SandboxdConfig.Parse(Good.Replace(good, bad), "sandboxd.yaml"));
        Assert.Equal((key, line), (e.Key, (int)e.Line));
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"sandboxd.yaml:{line}: {key}: ", e.Message);
    }
}
