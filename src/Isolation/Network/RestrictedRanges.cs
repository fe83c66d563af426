using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>Addresses a name must not lead to unless an allowed CIDR says so: they reach the host
/// itself, the local network, the cloud metadata service (169.254.169.254 is in link-local), or
/// are special-purpose (IANA's IPv4 and IPv6 special-purpose registries, RFC 6890) and so never
/// a public server. A more specific range comes first so the event names it.</summary>
internal static class RestrictedRanges
{
    private static readonly IPNetwork[] Ranges =
    [
        IPNetwork.Parse("0.0.0.0/8"), // "this network": 0.0.0.0 connects to the host's loopback
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"), // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"), // documentation (TEST-NET-1)
        IPNetwork.Parse("192.88.99.0/24"), // 6to4 relay anycast (deprecated)
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), // benchmarking
        IPNetwork.Parse("198.51.100.0/24"), // documentation (TEST-NET-2)
        IPNetwork.Parse("203.0.113.0/24"), // documentation (TEST-NET-3)
        IPNetwork.Parse("224.0.0.0/4"), // multicast
        IPNetwork.Parse("240.0.0.0/4"), // reserved, and 255.255.255.255
        IPNetwork.Parse("::/128"), // unspecified: connects to the host's loopback
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("64:ff9b:1::/48"), // local-use IPv4/IPv6 translation
        IPNetwork.Parse("100::/64"), // discard-only
        IPNetwork.Parse("2001::/23"), // IETF protocol assignments (Teredo, benchmarking, ORCHID)
        IPNetwork.Parse("2001:db8::/32"), // documentation
        IPNetwork.Parse("2002::/16"), // 6to4: embeds an IPv4 address the policy would not see
        IPNetwork.Parse("3fff::/20"), // documentation
        IPNetwork.Parse("5f00::/16"), // segment routing SIDs
        IPNetwork.Parse("fc00::/7"), // unique local
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("fec0::/10"), // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),
        // Everything outside global unicast 2000::/3 is reserved; the mapped (::ffff:0:0/96) and
        // NAT64 (64:ff9b::/96) prefixes are judged by the IPv4 address they carry before this.
        IPNetwork.Parse("::/3"),
        IPNetwork.Parse("4000::/2"),
        IPNetwork.Parse("8000::/1"),
    ];

    /// <summary>The well-known NAT64 prefix (RFC 6052): a DNS64 resolver answers IPv4-only names
    /// with it, and the translator connects to the IPv4 address in its last 32 bits.</summary>
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    /// <summary>The range that covers <paramref name="address"/>, or null.</summary>
    public static IPNetwork? Covering(IPAddress address)
    {
        foreach (var range in Ranges)
        {
            if (range.Contains(address))
                return range;
        }
        return null;
    }

    /// <summary>The IPv4 address a connection to <paramref name="address"/> really reaches when it
    /// carries one (IPv4-mapped, NAT64), else the address itself.</summary>
    public static IPAddress Effective(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (Nat64.Contains(address))
            return new IPAddress(address.GetAddressBytes().AsSpan(12, 4));
        return address;
    }
}
