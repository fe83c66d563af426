using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Api;

namespace Sandboxd.Core.Hosting;

/// <summary>The daemon's IAuditSink: stamps each event with the correlation of the API call that
/// caused it (tenant, principal, request and trace id) unless the emitter supplied its own.</summary>
public sealed class CorrelatedAuditSink(IAuditSink inner) : IAuditSink
{
    public void Emit(AuditKind kind, string? sandboxId, string? executionId, IReadOnlyDictionary<string, string>? attributes = null) =>
        inner.Emit(kind, CallCorrelation.Current?.Audit ?? AuditCorrelation.None, sandboxId, executionId, attributes);

    public void Emit(AuditKind kind, AuditCorrelation correlation, string? sandboxId, string? executionId,
        IReadOnlyDictionary<string, string>? attributes = null, AuditRisk risk = AuditRisk.None) =>
        inner.Emit(kind, ReferenceEquals(correlation, AuditCorrelation.None) ? CallCorrelation.Current?.Audit ?? correlation : correlation,
            sandboxId, executionId, attributes, risk);
}
