using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>A sandbox that lives long is a machine someone forgets.</summary>
public sealed class LongTtlRule : IRiskRule
{
    public string Name => "long-ttl";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) =>
        spec.Ttl is not { } ttl ? new RiskFinding(Name, RiskLevel.Medium, "no TTL: lives until destroyed")
        : ttl > policy.LongTtl ? new RiskFinding(Name, RiskLevel.Medium, $"TTL {ttl} is longer than {policy.LongTtl}")
        : null;
}
