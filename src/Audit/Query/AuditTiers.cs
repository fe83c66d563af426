namespace Sandboxd.Audit.Query;

/// <summary>Which tiers held the events of a result (an event in two tiers sets both).</summary>
[Flags]
public enum AuditTiers
{
    None = 0,
    Hot = 1,
    Warm = 2,
    Cold = 4,
}
