using System.Net;
using Sandboxd.Isolation.Network;
using Xunit;

namespace Sandboxd.Tests.Network;

public sealed class PolicyMatcherTests
{
    private static readonly PolicyMatcher Matcher = new(new EgressPolicy
    {
        AllowedDomains = ["allowed.test", "*.example.com"],
        DeniedDomains = ["evil.example.com"],
        AllowedCidrs = ["10.214.0.0/16", "2001:db8::/32"],
        AllowedPorts = [443, 8080],
    });

    [Theory]
    [InlineData("allowed.test", 443, true, "allowed-domain:allowed.test")]
    [InlineData("ALLOWED.Test.", 443, true, "allowed-domain:allowed.test")]
    [InlineData("allowed.test", 80, false, "port-not-allowed:80")]
    [InlineData("api.example.com", 8080, true, "allowed-domain:*.example.com")]
    [InlineData("a.b.example.com", 443, true, "allowed-domain:*.example.com")]
    [InlineData("example.com", 443, false, "no-matching-rule")]
    [InlineData("notexample.com", 443, false, "no-matching-rule")]
    [InlineData("evil.example.com", 443, false, "denied-domain:evil.example.com")]
    [InlineData("allowed.test.evil.org", 443, false, "no-matching-rule")]
    [InlineData("allowed.test\u0000", 443, false, "invalid-host")]
    [InlineData("allowed..test", 443, false, "invalid-host")]
    [InlineData("10.214.3.2", 443, true, "allowed-cidr:10.214.0.0/16")]
    [InlineData("10.215.3.2", 443, false, "address-not-allowed")]
    [InlineData("8.8.8.8", 443, false, "address-not-allowed")]
    public void DestinationRules(string host, int port, bool allowed, string rule)
    {
        var verdict = Matcher.CheckDestination(host, port);

        Assert.Equal(allowed, verdict.Allowed);
        Assert.Equal(rule, verdict.Rule);
    }

    [Fact]
    public void DeniedDomainWinsOverAnEqualAllow()
    {
        var matcher = new PolicyMatcher(new EgressPolicy { AllowedDomains = ["x.test"], DeniedDomains = ["*.test"] });

        Assert.Equal("denied-domain:*.test", matcher.CheckDestination("x.test", 443).Rule);
    }

    [Theory]
    [InlineData("127.0.0.1", false, "restricted-address:127.0.0.0/8")]
    [InlineData("10.1.2.3", false, "restricted-address:10.0.0.0/8")]
    [InlineData("172.20.0.1", false, "restricted-address:172.16.0.0/12")]
    [InlineData("192.168.1.1", false, "restricted-address:192.168.0.0/16")]
    [InlineData("100.64.0.1", false, "restricted-address:100.64.0.0/10")]
    [InlineData("169.254.169.254", false, "restricted-address:169.254.0.0/16")]
    [InlineData("::1", false, "restricted-address:::1/128")]
    [InlineData("::", false, "restricted-address:::/128")]
    [InlineData("0.0.0.0", false, "restricted-address:0.0.0.0/8")]
    [InlineData("192.0.0.8", false, "restricted-address:192.0.0.0/24")]
    [InlineData("192.0.2.1", false, "restricted-address:192.0.2.0/24")]
    [InlineData("198.19.0.1", false, "restricted-address:198.18.0.0/15")]
    [InlineData("198.51.100.1", false, "restricted-address:198.51.100.0/24")]
    [InlineData("203.0.113.7", false, "restricted-address:203.0.113.0/24")]
    [InlineData("239.1.1.1", false, "restricted-address:224.0.0.0/4")]
    [InlineData("255.255.255.255", false, "restricted-address:240.0.0.0/4")]
    [InlineData("::ffff:192.0.2.1", false, "restricted-address:192.0.2.0/24")]
    [InlineData("64:ff9b::7f00:1", false, "restricted-address:127.0.0.0/8")]
    [InlineData("64:ff9b::a9fe:a9fe", false, "restricted-address:169.254.0.0/16")]
    [InlineData("64:ff9b:1::1", false, "restricted-address:64:ff9b:1::/48")]
    [InlineData("100::1", false, "restricted-address:100::/64")]
    [InlineData("2001::1", false, "restricted-address:2001::/23")]
    [InlineData("2001:db8::1", true, "allowed-cidr:2001:db8::/32")]
    [InlineData("2002:7f00:1::1", false, "restricted-address:2002::/16")]
    [InlineData("3fff::1", false, "restricted-address:3fff::/20")]
    [InlineData("5f00::1", false, "restricted-address:5f00::/16")]
    [InlineData("fec0::1", false, "restricted-address:fec0::/10")]
    [InlineData("ff02::1", false, "restricted-address:ff00::/8")]
    [InlineData("::7f00:1", false, "restricted-address:::/3")]
    [InlineData("4000::1", false, "restricted-address:4000::/2")]
    [InlineData("e000::1", false, "restricted-address:8000::/1")]
    [InlineData("fd00::1", false, "restricted-address:fc00::/7")]
    [InlineData("fe80::1", false, "restricted-address:fe80::/10")]
    [InlineData("::ffff:127.0.0.1", false, "restricted-address:127.0.0.0/8")]
    [InlineData("10.214.9.9", true, "allowed-cidr:10.214.0.0/16")]
    [InlineData("::ffff:10.214.9.9", true, "allowed-cidr:10.214.0.0/16")]
    [InlineData("8.8.8.8", true, "public-address")]
    [InlineData("2606:4700::1111", true, "public-address")]
    [InlineData("64:ff9b::808:808", true, "public-address")]
    [InlineData("64:ff9b::ad6:909", true, "allowed-cidr:10.214.0.0/16")]
    public void ResolvedAddressRules(string address, bool allowed, string rule)
    {
        var verdict = Matcher.CheckAddress(IPAddress.Parse(address), isLiteral: false);

        Assert.Equal(allowed, verdict.Allowed);
        Assert.Equal(rule, verdict.Rule);
    }

    [Fact]
    public void DenyAllRefusesEverything()
    {
        var matcher = new PolicyMatcher(EgressPolicy.DenyAll);

        Assert.False(matcher.CheckDestination("allowed.test", 443).Allowed);
        Assert.False(matcher.CheckDestination("10.214.0.1", 80).Allowed);
    }

    [Theory]
    [InlineData("*.*.example.com")]
    [InlineData("exa mple.com")]
    [InlineData("")]
    public void MalformedPatternsFailWhenThePolicyIsSet(string pattern) =>
        Assert.Throws<ArgumentException>(() => new PolicyMatcher(new EgressPolicy { AllowedDomains = [pattern] }));

    [Fact]
    public void MalformedCidrFailsWhenThePolicyIsSet() =>
        Assert.Throws<ArgumentException>(() => new PolicyMatcher(new EgressPolicy { AllowedCidrs = ["10.0.0.0/33"] }));

    [Fact]
    public void AddressPoolHandsOutDistinctSlashThirties()
    {
        var pool = new AddressPool("10.213.7.0/29");
        var a = pool.Allocate();
        var b = pool.Allocate();

        Assert.Equal(("10.213.7.1", "10.213.7.2"), (a.HostAddress.ToString(), a.SandboxAddress.ToString()));
        Assert.Equal(("10.213.7.5", "10.213.7.6"), (b.HostAddress.ToString(), b.SandboxAddress.ToString()));
        Assert.Throws<NetworkSetupException>(pool.Allocate);
        pool.Release(a);
        Assert.Equal(a.HostAddress, pool.Allocate().HostAddress);
    }
}
