using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

public sealed class UntrustedImageRule : IRiskRule
{
    public string Name => "untrusted-image";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) =>
        spec.Image is null || policy.TrustedImages is null || policy.TrustedImages.Contains(spec.Image)
            ? null
            : new RiskFinding(Name, RiskLevel.Medium, $"image '{spec.Image}' is not in the trusted set");
}
