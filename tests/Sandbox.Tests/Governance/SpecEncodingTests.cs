using Sandboxd.Governance.Profiles;
using Sandboxd.Governance.Specs;
using Xunit;

namespace Sandboxd.Tests.Governance;

public sealed class SpecEncodingTests
{
    private static readonly RequestSpec Medium = BuiltinProfiles.Medium.Spec with
    {
        Network = new NetworkPolicySpec(true, ["pypi.org", "github.com"], false),
        Mounts = [new HostMount("/b", "/b", true), new HostMount("/a", "/a", true)],
    };

    [Fact]
    public void The_same_request_in_another_order_has_the_same_hash()
    {
        var reordered = Medium with
        {
            Network = new NetworkPolicySpec(true, ["GitHub.com", "pypi.org"], false),
            Mounts = [.. Medium.Mounts.Reverse()],
        };
        Assert.Equal(SpecEncoding.Hash(Medium), SpecEncoding.Hash(reordered));
        Assert.Matches("^[0-9a-f]{64}$", SpecEncoding.Hash(Medium));
    }

    [Fact]
    public void Any_changed_field_changes_the_hash()
    {
        var hash = SpecEncoding.Hash(Medium);
        RequestSpec[] changed =
        [
            Medium with { Network = Medium.Network with { AllowedDomains = [.. Medium.Network.AllowedDomains, "evil.example"] } },
            Medium with { Mounts = [new HostMount("/b", "/b", false), new HostMount("/a", "/a", true)] },
            Medium with { Resources = Medium.Resources with { MemoryBytes = Medium.Resources.MemoryBytes + 1 } },
            Medium with { Seccomp = "strict" },
            Medium with { UserNamespace = false },
            Medium with { Image = "other" },
            Medium with { Ttl = TimeSpan.FromHours(2) },
        ];
        foreach (var spec in changed)
            Assert.NotEqual(hash, SpecEncoding.Hash(spec));
    }

    [Fact]
    public void A_spec_decodes_to_what_was_encoded() =>
        Assert.Equal(SpecEncoding.Encode(Medium), SpecEncoding.Encode(SpecEncoding.Decode(SpecEncoding.Encode(Medium))));
}
