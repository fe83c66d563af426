namespace Sandboxd.Audit.Query;

/// <summary>Who runs a query. A tenant sees only events stamped with its own tenant; only the
/// operator (the daemon's own admin socket) sees every tenant and the daemon's untenanted events.</summary>
public sealed record AuditCaller
{
    private AuditCaller(string? tenant) => Tenant = tenant;

    public static AuditCaller Operator { get; } = new((string?)null);

    /// <summary>Null for the operator.</summary>
    public string? Tenant { get; }

    public bool IsOperator => Tenant is null;

    public static AuditCaller ForTenant(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        return new AuditCaller(tenant);
    }
}
