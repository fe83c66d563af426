using Sandboxd.Governance.Profiles;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>The level is the lowest row of the built-in risk table whose memory covers the request.</summary>
public sealed class MemoryRule : IRiskRule
{
    public string Name => "memory";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy)
    {
        var requested = spec.Resources.MemoryBytes;
        var level = BuiltinProfiles.RowCovering(row => row.Resources.MemoryBytes >= requested);
        return level > RiskLevel.Low
            ? new RiskFinding(Name, level, $"memory {requested >> 20} MiB is above the LOW limit of {BuiltinProfiles.Low.Spec.Resources.MemoryBytes >> 20} MiB")
            : null;
    }
}
