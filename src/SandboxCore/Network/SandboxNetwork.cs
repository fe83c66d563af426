using Sandboxd.Api.V1;
using Sandboxd.Core.Orchestration;
using IsolationPolicy = Sandboxd.Isolation.Network.EgressPolicy;

namespace Sandboxd.Core.Network;

/// <summary>The network a create asks for, checked before anything is launched.</summary>
public sealed record SandboxNetwork(NetworkMode Mode, IsolationPolicy Policy, bool Transparent)
{
    public static SandboxNetwork None { get; } = new(NetworkMode.None, IsolationPolicy.DenyAll, false);

    public bool IsEgress => Mode == NetworkMode.Egress;

    public static SandboxNetwork FromProto(NetworkConfig? config)
    {
        if (config is null)
            return None;
        switch (config.Mode)
        {
            case NetworkMode.None:
                // A policy without a network would be silently ignored; say so instead.
                if (config.Policy is not null || config.Transparent)
                    throw new InvalidFieldException("network.mode", "policy and transparent need NETWORK_MODE_EGRESS");
                return None;
            case NetworkMode.Egress:
                return new SandboxNetwork(NetworkMode.Egress, EgressPolicyMapping.FromProto(config.Policy, "network.policy"),
                    config.Transparent);
            default:
                throw new InvalidFieldException("network.mode", $"{(int)config.Mode} is not a network mode");
        }
    }

    /// <summary>With the policy in force now, which an update may have replaced since create.</summary>
    public NetworkConfig ToProto(IsolationPolicy current) => IsEgress
        ? new NetworkConfig { Mode = Mode, Policy = EgressPolicyMapping.ToProto(current), Transparent = Transparent }
        : new NetworkConfig { Mode = NetworkMode.None };
}
