namespace Sandboxd.Isolation.Network;

/// <summary>What a sandbox may reach through the proxy. Denied domains win over allowed ones;
/// a destination must also use an allowed port. Loopback, link-local, private, metadata and
/// special-purpose addresses, and every address of the host itself, are refused unless an allowed
/// CIDR covers them.</summary>
public sealed record EgressPolicy
{
    /// <summary>Exact names ("api.example.com") or one leading wildcard ("*.example.com", which
    /// matches subdomains but not the apex).</summary>
    public IReadOnlyList<string> AllowedDomains { get; init; } = [];

    /// <summary>Same syntax as <see cref="AllowedDomains"/>; a match here always denies.</summary>
    public IReadOnlyList<string> DeniedDomains { get; init; } = [];

    /// <summary>CIDRs ("203.0.113.0/24") that IP-literal destinations may use, and that lift the
    /// restricted-range and host-address denials for names resolving into them.</summary>
    public IReadOnlyList<string> AllowedCidrs { get; init; } = [];

    public IReadOnlyList<int> AllowedPorts { get; init; } = [80, 443];

    /// <summary>Open proxy connections at once; more are refused.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>Bytes both ways over the attachment's life; past it, tunnels close and new ones are
    /// refused. Zero means unlimited.</summary>
    public long MaxTotalBytes { get; init; }

    /// <summary>Bytes per second both ways, all of the sandbox's connections together; each
    /// tunnel waits for its share. Zero means unlimited.</summary>
    public long MaxBytesPerSecond { get; init; }

    /// <summary>Nothing is allowed: the attachment exists but every request is refused.</summary>
    public static EgressPolicy DenyAll { get; } = new() { AllowedPorts = [] };
}
