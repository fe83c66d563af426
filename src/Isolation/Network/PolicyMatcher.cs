using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>An <see cref="EgressPolicy"/> compiled once (patterns and CIDRs parsed), so a bad
/// policy fails when it is set, not on the first connection.</summary>
public sealed class PolicyMatcher
{
    private readonly DomainPattern[] _allowed;
    private readonly DomainPattern[] _denied;
    private readonly IPNetwork[] _cidrs;
    private readonly HashSet<int> _ports;

    public PolicyMatcher(EgressPolicy policy)
    {
        Policy = policy;
        _allowed = [.. policy.AllowedDomains.Select(DomainPattern.Parse)];
        _denied = [.. policy.DeniedDomains.Select(DomainPattern.Parse)];
        _cidrs = [.. policy.AllowedCidrs.Select(ParseCidr)];
        _ports = [.. policy.AllowedPorts];
    }

    public EgressPolicy Policy { get; }

    /// <summary>The check before any lookup: port, then (for names) denied and allowed domains,
    /// or (for IP literals) the CIDRs.</summary>
    public PolicyVerdict CheckDestination(string host, int port)
    {
        if (!_ports.Contains(port))
            return PolicyVerdict.Deny($"port-not-allowed:{port}");
        if (IPAddress.TryParse(host, out var literal))
            return CheckAddress(literal, isLiteral: true);
        return CheckName(host);
    }

    /// <summary>The domain rules alone, denied before allowed: what the DNS stub asks, since a
    /// lookup carries no port.</summary>
    public PolicyVerdict CheckName(string host)
    {
        var name = HostName.Normalize(host);
        if (name is null)
            return PolicyVerdict.Deny("invalid-host");
        foreach (var pattern in _denied)
        {
            if (pattern.Matches(name))
                return PolicyVerdict.Deny($"denied-domain:{pattern.Text}");
        }
        foreach (var pattern in _allowed)
        {
            if (pattern.Matches(name))
                return PolicyVerdict.Allow($"allowed-domain:{pattern.Text}");
        }
        return PolicyVerdict.Deny("no-matching-rule");
    }

    /// <summary>The check on the address actually connected to. A literal needs a CIDR; a resolved
    /// name only needs one when it lands in a restricted range (loopback, private, link-local,
    /// metadata, special-purpose) or on an address of the host itself, which is what stops DNS
    /// rebinding to the host or the local network. An address that carries an IPv4 one
    /// (mapped, NAT64) is judged by that.</summary>
    public PolicyVerdict CheckAddress(IPAddress address, bool isLiteral)
    {
        var ip = RestrictedRanges.Effective(address);
        foreach (var cidr in _cidrs)
        {
            if (cidr.Contains(ip))
                return PolicyVerdict.Allow($"allowed-cidr:{cidr}");
        }
        if (isLiteral)
            return PolicyVerdict.Deny("address-not-allowed");
        if (RestrictedRanges.Covering(ip) is { } range)
            return PolicyVerdict.Deny($"restricted-address:{range}");
        // Last: the only check here that asks the kernel, and only public-looking addresses reach it.
        return HostAddresses.IsOwn(ip) || (!ip.Equals(address) && HostAddresses.IsOwn(address))
            ? PolicyVerdict.Deny("host-address")
            : PolicyVerdict.Allow("public-address");
    }

    private static IPNetwork ParseCidr(string text) =>
        IPNetwork.TryParse(text, out var network)
            ? network
            : throw new ArgumentException($"invalid CIDR '{text}'", nameof(text));
}
