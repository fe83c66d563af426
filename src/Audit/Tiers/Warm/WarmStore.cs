using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Query;

namespace Sandboxd.Audit.Tiers.Warm;

/// <summary>The warm tier: one SQLite file in WAL mode. The pipeline's writer owns the write
/// connection; queries and the migrator open their own (WAL lets readers run beside the writer).
/// synchronous=FULL so a committed batch survives power loss, not only a killed process.</summary>
public sealed class WarmStore : IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _insert;
    // Reused for every row's attributes: a fresh stream and writer per event was the ingest's main garbage.
    private readonly ArrayBufferWriter<byte> _attrsBuffer = new(1024);
    private readonly Utf8JsonWriter _attrsWriter;

    public WarmStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        _writer = Open();
        Execute(_writer, "PRAGMA journal_mode=WAL;");
        Execute(_writer, WarmSchema.Create + $"PRAGMA user_version={WarmSchema.Version};");
        _insert = _writer.CreateCommand();
        _insert.CommandText = $"INSERT OR IGNORE INTO events ({WarmSchema.Columns}) VALUES " +
            "($id, $v, $seq, $t, $kind, $tenant, $principal, $sandbox, $execution, $request, $trace, $risk, $attrs)";
        foreach (string name in WarmSchema.Columns.Split(", "))
            _insert.Parameters.Add(new SqliteParameter("$" + name, null));
        _insert.Prepare();
        _attrsWriter = new Utf8JsonWriter(_attrsBuffer);
    }

    public string Path { get; }

    /// <summary>Writes a batch in one transaction. Ids already present are skipped, so replaying a
    /// journal that was partly applied before a crash is harmless. Returns the rows added.</summary>
    public int Insert(IReadOnlyList<AuditEvent> batch)
    {
        if (batch.Count == 0)
            return 0;
        using var tx = _writer.BeginTransaction();
        _insert.Transaction = tx;
        int added = 0;
        foreach (var ev in batch)
        {
            var p = _insert.Parameters;
            p[0].Value = ev.Id;
            p[1].Value = ev.Version;
            p[2].Value = ev.Sequence;
            p[3].Value = ev.Time.UtcTicks;
            p[4].Value = (int)ev.Kind;
            p[5].Value = (object?)ev.Tenant ?? DBNull.Value;
            p[6].Value = (object?)ev.Principal ?? DBNull.Value;
            p[7].Value = (object?)ev.SandboxId ?? DBNull.Value;
            p[8].Value = (object?)ev.ExecutionId ?? DBNull.Value;
            p[9].Value = (object?)ev.RequestId ?? DBNull.Value;
            p[10].Value = (object?)ev.TraceId ?? DBNull.Value;
            p[11].Value = (int)ev.Risk;
            p[12].Value = AttributesJson(ev.Attributes);
            added += _insert.ExecuteNonQuery();
        }
        tx.Commit();
        return added;
    }

    /// <summary>Newest first, at most <paramref name="limit"/>.</summary>
    public List<AuditEvent> Query(AuditQuery q, string? tenant, PageCursor? before, int limit)
    {
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        WarmQuerySql.Build(cmd, q, tenant, before, limit);
        return ReadAll(cmd);
    }

    /// <summary>The oldest events before <paramref name="cutoff"/>, oldest first: what the migrator seals next.</summary>
    public List<AuditEvent> ReadOlderThan(DateTimeOffset cutoff, int max)
    {
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT {WarmSchema.Columns} FROM events WHERE t < $cutoff ORDER BY t, id LIMIT $max";
        cmd.Parameters.AddWithValue("$cutoff", cutoff.UtcTicks);
        cmd.Parameters.AddWithValue("$max", max);
        return ReadAll(cmd);
    }

    /// <summary>Removes events now held by cold, in one transaction.</summary>
    public int Delete(IEnumerable<string> ids)
    {
        using var conn = Open();
        using var tx = conn.BeginTransaction();
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM events WHERE id = $id";
        var id = cmd.Parameters.Add(new SqliteParameter("$id", null));
        int removed = 0;
        foreach (string value in ids)
        {
            id.Value = value;
            removed += cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return removed;
    }

    public long Count()
    {
        using var conn = Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM events";
        return (long)cmd.ExecuteScalar()!;
    }

    public void Dispose()
    {
        _attrsWriter.Dispose();
        _insert.Dispose();
        _writer.Dispose();
    }

    private string AttributesJson(IReadOnlyDictionary<string, string> attributes)
    {
        _attrsBuffer.ResetWrittenCount();
        _attrsWriter.Reset();
        AuditEventJson.WriteAttributes(_attrsWriter, attributes);
        _attrsWriter.Flush();
        return Encoding.UTF8.GetString(_attrsBuffer.WrittenSpan);
    }

    private SqliteConnection Open()
    {
        var conn = new SqliteConnection(_connectionString);
        conn.Open();
        Execute(conn, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
        return conn;
    }

    private static void Execute(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static List<AuditEvent> ReadAll(SqliteCommand cmd)
    {
        var result = new List<AuditEvent>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            result.Add(new AuditEvent(r.GetInt64(2), new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero), (AuditKind)r.GetInt32(4),
                Nullable(r, 7), Nullable(r, 8), AuditEventJson.AttributesFromString(r.GetString(12)))
            {
                Id = r.GetString(0),
                Version = r.GetInt32(1),
                Tenant = Nullable(r, 5),
                Principal = Nullable(r, 6),
                RequestId = Nullable(r, 9),
                TraceId = Nullable(r, 10),
                Risk = (AuditRisk)r.GetInt32(11),
            });
        }
        return result;
    }

    private static string? Nullable(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
