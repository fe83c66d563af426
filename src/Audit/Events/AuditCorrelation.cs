namespace Sandboxd.Audit.Events;

/// <summary>Who asked and on behalf of what: filled from the API call that caused an event, so a
/// client's trace or tool-call id leads straight to what the sandbox did.</summary>
public sealed record AuditCorrelation(string? Tenant, string? Principal = null, string? RequestId = null, string? TraceId = null)
{
    public static AuditCorrelation None { get; } = new(Tenant: null);
}
