namespace Sandboxd.Isolation.Network;

/// <summary>How a sandbox reaches the network. Persisted in profiles, so the numbers are fixed.</summary>
public enum NetworkMode
{
    /// <summary>The sandbox's own netns with loopback only: nothing to set up.</summary>
    None = 0,

    /// <summary>A veth to the host whose firewall lets through only the daemon's egress proxy.</summary>
    Egress = 1,
}
