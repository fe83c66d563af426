namespace Sandboxd.Governance.Risk;

/// <summary>Risk = the highest level any rule finds. This slice's sandboxes have no egress, no
/// host mounts and the default isolation, so they are LOW and auto-approved; the rules for
/// MEDIUM+ (and the voting they trigger) arrive with the features that create that risk.</summary>
public static class RiskAssessor
{
    public static RiskLevel Assess(SandboxRequestTraits traits)
    {
        var level = RiskLevel.Low;
        if (traits.NetworkEgress || traits.RelaxedSeccomp)
            level = Max(level, RiskLevel.Medium);
        if (traits.HostMounts)
            level = Max(level, RiskLevel.High);
        return level;
    }

    private static RiskLevel Max(RiskLevel a, RiskLevel b) => a > b ? a : b;
}
