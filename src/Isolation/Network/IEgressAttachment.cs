using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>A running sandbox's egress: its veth, firewall entry and proxy listener. Disposing
/// removes all three (safe after the sandbox has exited).</summary>
public interface IEgressAttachment : IAsyncDisposable
{
    string SandboxId { get; }

    /// <summary>The host side of the veth (sbx&lt;8hex&gt;h).</summary>
    string HostInterface { get; }

    /// <summary>Where the proxy listens; the only address the sandbox can reach.</summary>
    IPEndPoint ProxyEndpoint { get; }

    /// <summary>The sandbox's eth0 address.</summary>
    IPAddress SandboxAddress { get; }

    /// <summary>HTTP_PROXY, HTTPS_PROXY, ALL_PROXY (and lower case) and NO_PROXY for the
    /// sandbox's commands. Programs that ignore them still reach nothing but the proxy.</summary>
    IReadOnlyDictionary<string, string> ProxyEnvironment { get; }

    EgressPolicy Policy { get; }

    /// <summary>Replaces the policy; connections opened afterwards are decided by the new one,
    /// open ones keep running. Throws <see cref="ArgumentException"/> on a malformed policy,
    /// leaving the old one in force.</summary>
    void UpdatePolicy(EgressPolicy policy);
}
