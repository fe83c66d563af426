namespace Sandboxd.Audit.Tiers.Warm;

/// <summary>The warm table and the indexes the query filters use (sandbox, execution, tenant,
/// kind, risk, each with time, since every query is "newest first within a range").</summary>
internal static class WarmSchema
{
    public const int Version = 1;

    public const string Columns = "id, v, seq, t, kind, tenant, principal, sandbox, execution, request, trace, risk, attrs";

    public const string Create = """
        CREATE TABLE IF NOT EXISTS events (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            v INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            t INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            tenant TEXT,
            principal TEXT,
            sandbox TEXT,
            execution TEXT,
            request TEXT,
            trace TEXT,
            risk INTEGER NOT NULL,
            attrs TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_events_t ON events(t);
        CREATE INDEX IF NOT EXISTS ix_events_sandbox_t ON events(sandbox, t);
        CREATE INDEX IF NOT EXISTS ix_events_execution_t ON events(execution, t);
        CREATE INDEX IF NOT EXISTS ix_events_tenant_t ON events(tenant, t);
        CREATE INDEX IF NOT EXISTS ix_events_kind_t ON events(kind, t);
        CREATE INDEX IF NOT EXISTS ix_events_risk_t ON events(risk, t);
        """;
}
