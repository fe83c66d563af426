using Sandboxd.Core.Orchestration;
using IsolationPolicy = Sandboxd.Isolation.Network.EgressPolicy;

namespace Sandboxd.Core.Network;

/// <summary>The network a create asks for, checked before anything is launched.</summary>
public sealed record SandboxNetwork(NetworkMode Mode, IsolationPolicy Policy, bool Transparent)
{
    public static SandboxNetwork None { get; } = new(NetworkMode.None, IsolationPolicy.DenyAll, false);

    public bool IsEgress => Mode == NetworkMode.Egress;

    public static SandboxNetwork From(NetworkRequest? request)
    {
        if (request is null)
            return None;
        switch (request.Mode)
        {
            case NetworkMode.None:
                // A policy without a network would be silently ignored; say so instead.
                if (request.Policy is not null || request.Transparent)
                    throw new InvalidFieldException("network.mode", "policy and transparent need NETWORK_MODE_EGRESS");
                return None;
            case NetworkMode.Egress:
                return new SandboxNetwork(NetworkMode.Egress, EgressPolicyChecks.Check(request.Policy, "network.policy"), request.Transparent);
            default:
                throw new InvalidFieldException("network.mode", $"{(int)request.Mode} is not a network mode");
        }
    }
}
