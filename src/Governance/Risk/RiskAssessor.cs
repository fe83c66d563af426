using Sandboxd.Governance.Risk.Rules;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk;

/// <summary>Risk = the highest level any rule finds; every finding is kept so the level explains itself.</summary>
public static class RiskAssessor
{
    public static IReadOnlyList<IRiskRule> Rules { get; } =
    [
        new ProfileFloorRule(),
        new EgressRule(),
        new OpenAllowlistRule(),
        new HostMountRule(),
        new SeccompRule(),
        new UserNamespaceOffRule(),
        new RootInsideRule(),
        new MemoryRule(),
        new CpuTimeRule(),
        new LongTtlRule(),
        new UntrustedImageRule(),
        new WeakIsolationRule(),
    ];

    public static RiskAssessment Assess(RequestSpec spec, RiskPolicy policy)
    {
        var findings = Rules.Select(rule => rule.Check(spec, policy)).OfType<RiskFinding>().ToList();
        var level = findings.Count == 0 ? RiskLevel.Low : findings.Max(f => f.Level);
        return new RiskAssessment(level, findings);
    }
}
