namespace Sandboxd.Audit.Events;

/// <summary>The governance risk level an event carries. Persisted: numbers are frozen, only add.
/// Its own enum, not Governance's RiskLevel, because Audit sits below Governance and needs None;
/// the numbers match RiskLevel's so a cast carries a level across.</summary>
public enum AuditRisk
{
    None = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}
