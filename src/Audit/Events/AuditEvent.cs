namespace Sandboxd.Audit.Events;

/// <summary>One thing that happened, with what it correlates to. Attributes stay small strings
/// so every tier can store them as they are.</summary>
public sealed record AuditEvent(
    long Sequence,
    DateTimeOffset Time,
    AuditKind Kind,
    string? SandboxId,
    string? ExecutionId,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The stored format's version; readers accept every version up to this one.</summary>
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>Unique across daemons and restarts (instance + sequence): tiers overlap on purpose
    /// (hot and warm hold the same recent events, a journal replay may repeat), so readers dedupe on it.</summary>
    public string Id { get; init; } = "";

    public string? Tenant { get; init; }

    public string? Principal { get; init; }

    public string? RequestId { get; init; }

    public string? TraceId { get; init; }

    public AuditRisk Risk { get; init; }
}
