using Sandboxd.Core.Network;
using IsolationPolicy = Sandboxd.Isolation.Network.EgressPolicy;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Core.Api.Mapping;

/// <summary>Network configs and egress policies between the wire and the domain. Requests map
/// as they are (their checks name the wire's fields); answers show the policy in force.</summary>
public static class NetworkProtoMapping
{
    public static NetworkRequest FromProto(V1.NetworkConfig n) =>
        new((NetworkMode)(int)n.Mode, n.Policy is { } p ? FromProto(p) : null, n.Transparent);

    public static EgressPolicyRequest FromProto(V1.EgressPolicy p) => new()
    {
        AllowDomains = [.. p.AllowDomains], DenyDomains = [.. p.DenyDomains], AllowCidrs = [.. p.AllowCidrs], AllowPorts = [.. p.AllowPorts],
        MaxConnections = p.MaxConnections, MaxTotalBytes = p.MaxTotalBytes, MaxBytesPerSecond = p.MaxBytesPerSecond,
    };

    public static V1.NetworkConfig ToProto(NetworkRequest n) =>
        new() { Mode = (V1.NetworkMode)(int)n.Mode, Policy = n.Policy is { } p ? ToProto(p) : null, Transparent = n.Transparent };

    public static V1.EgressPolicy ToProto(EgressPolicyRequest p) => new()
    {
        AllowDomains = { p.AllowDomains }, DenyDomains = { p.DenyDomains }, AllowCidrs = { p.AllowCidrs }, AllowPorts = { p.AllowPorts },
        MaxConnections = p.MaxConnections, MaxTotalBytes = p.MaxTotalBytes, MaxBytesPerSecond = p.MaxBytesPerSecond,
    };

    /// <summary>With the policy in force now, which an update may have replaced since create.</summary>
    public static V1.NetworkConfig ToProto(SandboxNetwork network, IsolationPolicy current) => network.IsEgress
        ? new V1.NetworkConfig { Mode = V1.NetworkMode.Egress, Policy = ToProto(current), Transparent = network.Transparent }
        : new V1.NetworkConfig { Mode = V1.NetworkMode.None };

    public static V1.EgressPolicy ToProto(IsolationPolicy policy) => new()
    {
        AllowDomains = { policy.AllowedDomains },
        DenyDomains = { policy.DeniedDomains },
        AllowCidrs = { policy.AllowedCidrs },
        AllowPorts = { policy.AllowedPorts.Select(p => (uint)p) },
        MaxConnections = (uint)policy.MaxConnections,
        MaxTotalBytes = (ulong)policy.MaxTotalBytes,
        MaxBytesPerSecond = (ulong)policy.MaxBytesPerSecond,
    };
}
