using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>A profile may declare the work it is for as risky (the built-in "high" does), whatever its fields.</summary>
public sealed class ProfileFloorRule : IRiskRule
{
    public string Name => "profile-floor";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy) => spec.ProfileFloor > RiskLevel.Low
        ? new RiskFinding(Name, spec.ProfileFloor, $"profile '{spec.Profile}' is declared {spec.ProfileFloor.ToString().ToUpperInvariant()}")
        : null;
}
