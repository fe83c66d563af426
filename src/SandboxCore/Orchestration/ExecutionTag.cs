using Sandboxd.Audit.Events;

namespace Sandboxd.Core.Orchestration;

/// <summary>Rides with a command into the sandbox's init and back on every audited call it
/// makes, so those events carry the execution and the API call (tenant, trace) that started it.</summary>
public sealed record ExecutionTag(string ExecutionId, AuditCorrelation Correlation);
