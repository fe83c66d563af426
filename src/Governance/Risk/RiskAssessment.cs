namespace Sandboxd.Governance.Risk;

/// <summary>Every finding, and the level: the highest of them (LOW when none).</summary>
public sealed record RiskAssessment(RiskLevel Level, IReadOnlyList<RiskFinding> Findings);
