using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

public sealed class UserNamespaceOffRule : IRiskRule
{
    public string Name => "user-namespace-off";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) => spec.UserNamespace
        ? null
        : new RiskFinding(Name, RiskLevel.Medium, "no user namespace: ids inside are host ids");
}
