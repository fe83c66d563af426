using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

public sealed class EgressRule : IRiskRule
{
    public string Name => "egress";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) => spec.Network.Egress
        ? new RiskFinding(Name, RiskLevel.Medium, $"egress allowed through the proxy to {spec.Network.AllowedDomains.Count} domain(s)")
        : null;
}
