namespace Sandboxd.Governance.Specs;

/// <summary>No network, or egress through the proxy to <see cref="AllowedDomains"/>
/// ("*.example.org" is a wildcard).</summary>
public sealed record NetworkPolicySpec(bool Egress, IReadOnlyList<string> AllowedDomains, bool Audited)
{
    public static NetworkPolicySpec None { get; } = new(false, [], false);
}
