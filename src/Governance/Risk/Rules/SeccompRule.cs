using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

public sealed class SeccompRule : IRiskRule
{
    public string Name => "seccomp";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) =>
        spec.Seccomp == RequestSpec.SeccompOff ? new RiskFinding(Name, RiskLevel.High, "seccomp filter off")
        : policy.SafeSeccompProfiles.Contains(spec.Seccomp) ? null
        : new RiskFinding(Name, RiskLevel.Medium, $"seccomp profile '{spec.Seccomp}' is relaxed (not one of {string.Join(", ", policy.SafeSeccompProfiles.Order(StringComparer.Ordinal))})");
}
