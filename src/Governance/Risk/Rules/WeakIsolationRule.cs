using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>Process isolation is for work that reaches nothing: with a network or a writable root it is too little.</summary>
public sealed class WeakIsolationRule : IRiskRule
{
    public string Name => "weak-isolation";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) =>
        spec.Isolation == IsolationKind.Process && (spec.Network.Egress || spec.Filesystem == FilesystemKind.ReadWriteUpper)
            ? new RiskFinding(Name, RiskLevel.Medium, "process isolation with egress or a writable root (container isolation expected)")
            : null;
}
