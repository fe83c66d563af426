namespace Sandboxd.Audit.Events;

/// <summary>One thing that happened, with what it correlates to. Attributes stay small strings
/// so every tier can store them as they are.</summary>
public sealed record AuditEvent(
    long Sequence,
    DateTimeOffset Time,
    AuditKind Kind,
    string? SandboxId,
    string? ExecutionId,
    IReadOnlyDictionary<string, string> Attributes);
