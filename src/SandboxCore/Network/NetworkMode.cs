namespace Sandboxd.Core.Network;

/// <summary>A sandbox's network. Numbers equal the API's NETWORK_MODE_* ones; an unknown number
/// from a request is kept, so the check can name it.</summary>
public enum NetworkMode
{
    /// <summary>Its own network namespace with loopback only.</summary>
    None = 0,
    /// <summary>A veth whose firewall lets through only the daemon's proxy, which enforces the policy.</summary>
    Egress = 1,
}
