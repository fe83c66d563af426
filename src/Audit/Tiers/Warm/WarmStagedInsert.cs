using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Events;
using SQLitePCL;

namespace Sandboxd.Audit.Tiers.Warm;

/// <summary>The writer's one prepared INSERT into <c>staged</c>, bound through SQLite's own API:
/// strings go in as UTF-16 spans and the attributes as the UTF-8 bytes just written, so a row costs
/// no managed string, parameter object or data reader (Microsoft.Data.Sqlite's per-execute work was
/// most of the ingest's CPU). It runs inside the caller's transaction on the same connection.</summary>
internal sealed class WarmStagedInsert : IDisposable
{
    // An id already in either table is skipped: the unique index rejects it in staged, the lookup
    // in events' unique index there. That keeps "an id is in one table at most".
    private const string Sql = $"INSERT OR IGNORE INTO staged ({WarmSchema.Columns}) SELECT " +
        "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13 WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = ?1)";

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;
    // Reused for every row's attributes: a fresh stream and writer per event was the ingest's main garbage.
    private readonly ArrayBufferWriter<byte> _attrsBuffer = new(1024);
    private readonly Utf8JsonWriter _attrsWriter;

    public WarmStagedInsert(SqliteConnection conn)
    {
        _db = conn.Handle ?? throw new InvalidOperationException("the warm writer connection is not open");
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _stmt));
        _attrsWriter = new Utf8JsonWriter(_attrsBuffer);
    }

    /// <summary>Returns 1 when the row was added, 0 when its id was already in warm.</summary>
    public int Insert(AuditEvent ev)
    {
        try
        {
            Text(1, ev.Id);
            Check(raw.sqlite3_bind_int(_stmt, 2, ev.Version));
            Check(raw.sqlite3_bind_int64(_stmt, 3, ev.Sequence));
            Check(raw.sqlite3_bind_int64(_stmt, 4, ev.Time.UtcTicks));
            Check(raw.sqlite3_bind_int(_stmt, 5, (int)ev.Kind));
            Text(6, ev.Tenant);
            Text(7, ev.Principal);
            Text(8, ev.SandboxId);
            Text(9, ev.ExecutionId);
            Text(10, ev.RequestId);
            Text(11, ev.TraceId);
            Check(raw.sqlite3_bind_int(_stmt, 12, (int)ev.Risk));
            Check(raw.sqlite3_bind_text(_stmt, 13, AttributesUtf8(ev.Attributes)));
            return Step();
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    /// <summary>Stages one event given in its stored form (a journal line) without materialising it:
    /// unescaped strings and the attribute object are bound as the bytes they already are.
    /// Returns 1 when the row was added, 0 when its id was already in warm.</summary>
    public int InsertStored(ReadOnlySpan<byte> json)
    {
        try
        {
            Check(raw.sqlite3_clear_bindings(_stmt));
            Check(raw.sqlite3_bind_int(_stmt, 12, (int)AuditRisk.None)); // "r" is left out when None
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
                throw new JsonException("audit event: a journal line is not a JSON object");
            int seen = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                int column = StoredFormColumn(ref r);
                r.Read();
                seen |= 1 << column;
                switch (column)
                {
                    case 0:
                        r.Skip();
                        break;
                    case 2 when r.GetInt32() > AuditEvent.CurrentVersion:
                        throw new FormatException($"audit event version {r.GetInt32()} is newer than this reader ({AuditEvent.CurrentVersion})");
                    case 2 or 5 or 12:
                        Check(raw.sqlite3_bind_int(_stmt, column, r.GetInt32()));
                        break;
                    case 3 or 4:
                        Check(raw.sqlite3_bind_int64(_stmt, column, r.GetInt64()));
                        break;
                    case 13:
                        long start = r.TokenStartIndex;
                        r.Skip();
                        Check(raw.sqlite3_bind_text(_stmt, column, json[(int)start..(int)r.BytesConsumed]));
                        break;
                    default:
                        Check(r.TokenType == JsonTokenType.Null ? raw.sqlite3_bind_null(_stmt, column)
                            : r.ValueIsEscaped ? raw.sqlite3_bind_text16(_stmt, column, r.GetString().AsSpan())
                            : raw.sqlite3_bind_text(_stmt, column, r.ValueSpan));
                        break;
                }
            }
            const int required = 1 << 1 | 1 << 2 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 13;
            if ((seen & required) != required)
                throw new JsonException("audit event: a journal line lacks one of v, id, seq, t, k, a");
            return Step();
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }
    }

    public void Dispose()
    {
        _attrsWriter.Dispose();
        _stmt.Dispose();
    }

    /// <summary>The statement's parameter for a field of <see cref="AuditEventJson"/>'s stored form; 0 for one it does not store.</summary>
    private static int StoredFormColumn(ref Utf8JsonReader r) =>
        r.ValueTextEquals("id"u8) ? 1 : r.ValueTextEquals("v"u8) ? 2 : r.ValueTextEquals("seq"u8) ? 3 : r.ValueTextEquals("t"u8) ? 4
        : r.ValueTextEquals("k"u8) ? 5 : r.ValueTextEquals("ten"u8) ? 6 : r.ValueTextEquals("pri"u8) ? 7 : r.ValueTextEquals("sbx"u8) ? 8
        : r.ValueTextEquals("exe"u8) ? 9 : r.ValueTextEquals("req"u8) ? 10 : r.ValueTextEquals("trc"u8) ? 11 : r.ValueTextEquals("r"u8) ? 12
        : r.ValueTextEquals("a"u8) ? 13 : 0;

    private int Step()
    {
        int rc = raw.sqlite3_step(_stmt);
        if (rc != raw.SQLITE_DONE)
            Check(rc);
        return raw.sqlite3_changes(_db);
    }

    private void Text(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text16(_stmt, index, value.AsSpan()));

    private ReadOnlySpan<byte> AttributesUtf8(IReadOnlyDictionary<string, string> attributes)
    {
        _attrsBuffer.ResetWrittenCount();
        _attrsWriter.Reset();
        AuditEventJson.WriteAttributes(_attrsWriter, attributes);
        _attrsWriter.Flush();
        return _attrsBuffer.WrittenSpan;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
            SqliteException.ThrowExceptionForRC(rc, _db);
    }
}
