using Sandboxd.Governance.Profiles;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>Like memory, by the table's CPU time; unlimited is CRITICAL.</summary>
public sealed class CpuTimeRule : IRiskRule
{
    public string Name => "cpu-time";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy)
    {
        if (spec.Resources.CpuTime is not { } requested)
            return new RiskFinding(Name, RiskLevel.Critical, "CPU time unlimited");
        var level = BuiltinProfiles.RowCovering(row => row.Resources.CpuTime >= requested);
        return level > RiskLevel.Low
            ? new RiskFinding(Name, level, $"CPU time {requested.TotalSeconds:0}s is above the LOW limit of {BuiltinProfiles.Low.Spec.Resources.CpuTime?.TotalSeconds:0}s")
            : null;
    }
}
