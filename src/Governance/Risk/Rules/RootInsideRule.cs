using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>Root inside a user namespace is nobody on the host; without one it is host root.</summary>
public sealed class RootInsideRule : IRiskRule
{
    public string Name => "root-inside";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) =>
        !spec.RootInside ? null
        : spec.UserNamespace ? new RiskFinding(Name, RiskLevel.Medium, "runs as root inside (mapped by the user namespace)")
        : new RiskFinding(Name, RiskLevel.High, "runs as root inside without a user namespace: host root");
}
