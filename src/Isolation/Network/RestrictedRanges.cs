using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>Addresses a name must not lead to unless an allowed CIDR says so: they reach the host
/// itself, the local network or the cloud metadata service (169.254.169.254 is in link-local).</summary>
internal static class RestrictedRanges
{
    private static readonly IPNetwork[] Ranges =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/127"),
        IPNetwork.Parse("fc00::/7"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

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
}
