using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>A wildcard or a long allowlist reaches hosts nobody reviewed one by one.</summary>
public sealed class OpenAllowlistRule : IRiskRule
{
    public string Name => "open-allowlist";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy)
    {
        if (!spec.Network.Egress)
            return null;
        var wildcards = spec.Network.AllowedDomains.Where(d => d.Contains('*', StringComparison.Ordinal)).ToList();
        if (wildcards.Count > 0)
            return new RiskFinding(Name, RiskLevel.High, $"wildcard domain(s): {string.Join(", ", wildcards)}");
        var count = spec.Network.AllowedDomains.Count;
        return count > policy.ManyDomains
            ? new RiskFinding(Name, RiskLevel.High, $"{count} allowed domains (more than {policy.ManyDomains})")
            : null;
    }
}
