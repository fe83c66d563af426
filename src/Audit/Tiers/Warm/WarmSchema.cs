namespace Sandboxd.Audit.Tiers.Warm;

/// <summary>The warm tables. <c>events</c> holds the indexes the query filters use (sandbox,
/// execution, tenant, kind, risk, each with time, since every query is "newest first within a
/// range"). <c>staged</c> has the same columns and only the unique id: the writer commits there,
/// because each secondary index costs the ingest a B-tree insert per row, and a merge moves staged
/// rows into <c>events</c> off the ingest path. An id is in at most one of the two tables.</summary>
internal static class WarmSchema
{
    /// <summary>2 added <c>staged</c>; a version 1 file gains it on open and keeps its rows.</summary>
    public const int Version = 2;

    public const string Columns = "id, v, seq, t, kind, tenant, principal, sandbox, execution, request, trace, risk, attrs";

    public const string Create = $"""
        CREATE TABLE IF NOT EXISTS events ({ColumnDefinitions});
        CREATE INDEX IF NOT EXISTS ix_events_t ON events(t);
        CREATE INDEX IF NOT EXISTS ix_events_sandbox_t ON events(sandbox, t);
        CREATE INDEX IF NOT EXISTS ix_events_execution_t ON events(execution, t);
        CREATE INDEX IF NOT EXISTS ix_events_tenant_t ON events(tenant, t);
        CREATE INDEX IF NOT EXISTS ix_events_kind_t ON events(kind, t);
        CREATE INDEX IF NOT EXISTS ix_events_risk_t ON events(risk, t);
        CREATE TABLE IF NOT EXISTS staged ({ColumnDefinitions});
        """;

    /// <summary>Both tables, for reads that must see every warm row: staged ones are committed too.</summary>
    public static readonly string[] Tables = ["events", "staged"];

    private const string ColumnDefinitions = """
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
        """;
}
