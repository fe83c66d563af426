namespace Sandboxd.Governance.Risk;

/// <summary>Persisted: numbers are frozen.</summary>
public enum RiskLevel
{
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}
