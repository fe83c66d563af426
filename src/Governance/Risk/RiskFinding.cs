namespace Sandboxd.Governance.Risk;

/// <summary>What one rule found: the level it raises the request to, and why, for people.</summary>
public sealed record RiskFinding(string Rule, RiskLevel Level, string Reason);
