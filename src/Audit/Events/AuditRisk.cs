namespace Sandboxd.Audit.Events;

/// <summary>The governance risk level an event carries. Persisted: numbers are frozen, only add.</summary>
public enum AuditRisk
{
    None = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}
