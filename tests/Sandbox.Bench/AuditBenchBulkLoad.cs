using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Events;

namespace Sandboxd.Bench;

/// <summary>Grows a closed warm file to the query scale without the ingest path: pushing 9M more
/// events through the pipeline would take minutes here (the merge indexes ~50–100k rows/s), and
/// what the query rows measure is the shape of a large indexed table, not how it got there. Rows are
/// generated inside SQLite with the same sandboxes, executions, tenants, kinds, attribute shape and
/// 1 ms time step as <see cref="AuditBenchEvents"/>, continuing after the ingested ones; the indexes
/// are dropped for the insert and rebuilt by sorting, as SQLite builds an index fastest.</summary>
public static class AuditBenchBulkLoad
{
    private const string Insert = """
        WITH RECURSIVE n(i) AS (SELECT $first UNION ALL SELECT i + 1 FROM n WHERE i < $last)
        INSERT INTO events (id, v, seq, t, kind, tenant, principal, sandbox, execution, request, trace, risk, attrs)
        SELECT printf('bulk-%x', i), 1, i, $t0 + i * $step,
            CASE WHEN i % 16 = 0 THEN $network WHEN i % 16 < 8 THEN $started ELSE $finished END,
            'tenant-' || (i % 4000 % 16), 'uid:0', printf('sbx-%012x', i % 1000),
            printf('sbx-%012x.%d', i % 1000, i % 4000 / 1000 + 1), NULL, 'trace-bulk', 0,
            json_object('argv', printf('["python3","/work/task-%d.py","--seed","%d"]', i % 500, i * 7 % 1000),
                'argv0', 'python3', 'cwd', '/home/sandbox', 'exit', CASE WHEN i % 10 = 0 THEN '1' ELSE '0' END,
                'cpu_user_us', CAST(i * 7919 % 2000000 AS TEXT), 'peak_memory_bytes', CAST(i * 13 % 4096 * 4096 AS TEXT),
                'duration_us', CAST(i * 104729 % 5000000 AS TEXT))
        FROM n
        """;

    /// <summary>Adds events number <paramref name="first"/>..<paramref name="last"/> (1-based, as the
    /// bench clock numbers its readings) to the warm file at <paramref name="path"/>, which no pipeline has open.</summary>
    public static void Append(string path, long first, long last, DateTimeOffset start, TimeSpan step)
    {
        SqliteConnection.ClearAllPools();
        using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        conn.Open();
        // Bench data on a temp dir: no journal for the load; the warm store sets WAL again when it opens.
        Execute(conn, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; PRAGMA cache_size=-524288; PRAGMA threads=2;");
        var indexes = new List<(string Name, string Sql)>();
        using (var list = conn.CreateCommand())
        {
            list.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL";
            using var r = list.ExecuteReader();
            while (r.Read())
                indexes.Add((r.GetString(0), r.GetString(1)));
        }
        foreach (var (name, _) in indexes)
            Execute(conn, $"DROP INDEX {name}");
        using (var tx = conn.BeginTransaction())
        using (var insert = conn.CreateCommand())
        {
            insert.Transaction = tx;
            insert.CommandText = Insert;
            insert.Parameters.AddWithValue("$first", first);
            insert.Parameters.AddWithValue("$last", last);
            insert.Parameters.AddWithValue("$t0", start.UtcTicks);
            insert.Parameters.AddWithValue("$step", step.Ticks);
            insert.Parameters.AddWithValue("$network", (int)AuditKind.NetworkAllowed);
            insert.Parameters.AddWithValue("$started", (int)AuditKind.ExecutionStarted);
            insert.Parameters.AddWithValue("$finished", (int)AuditKind.ExecutionFinished);
            insert.ExecuteNonQuery();
            tx.Commit();
        }
        foreach (var (_, sql) in indexes)
            Execute(conn, sql);
    }

    private static void Execute(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
