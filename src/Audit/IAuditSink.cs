using Sandboxd.Audit.Events;

namespace Sandboxd.Audit;

/// <summary>Where every layer sends its events. Never blocks the caller.</summary>
public interface IAuditSink
{
    void Emit(AuditKind kind, string? sandboxId, string? executionId, IReadOnlyDictionary<string, string>? attributes = null);

    /// <summary>The same, with who asked (tenant, principal, request, trace) and the risk level.</summary>
    void Emit(AuditKind kind, AuditCorrelation correlation, string? sandboxId, string? executionId,
        IReadOnlyDictionary<string, string>? attributes = null, AuditRisk risk = AuditRisk.None);
}
