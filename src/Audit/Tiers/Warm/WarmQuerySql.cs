using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Query;

namespace Sandboxd.Audit.Tiers.Warm;

/// <summary>Turns an <see cref="AuditQuery"/> into one parameterised SELECT; each filter is a
/// column an index starts with, so SQLite can pick the narrowest.</summary>
internal static class WarmQuerySql
{
    public static void Build(SqliteCommand cmd, AuditQuery q, string? tenant, PageCursor? before, int limit)
    {
        var sql = new StringBuilder("SELECT ").Append(WarmSchema.Columns).Append(" FROM events WHERE 1=1");
        if (tenant is not null)
            Add(cmd, sql, " AND tenant = $tenant", "$tenant", tenant);
        if (q.SandboxId is not null)
            Add(cmd, sql, " AND sandbox = $sandbox", "$sandbox", q.SandboxId);
        if (q.ExecutionId is not null)
            Add(cmd, sql, " AND execution = $execution", "$execution", q.ExecutionId);
        if (q.Kinds is { Count: > 0 } kinds)
        {
            sql.Append(" AND kind IN (");
            for (int i = 0; i < kinds.Count; i++)
            {
                string name = "$k" + i.ToString(CultureInfo.InvariantCulture);
                sql.Append(i == 0 ? "" : ",").Append(name);
                cmd.Parameters.AddWithValue(name, (int)kinds[i]);
            }
            sql.Append(')');
        }
        if (q.MinRisk is { } risk)
            Add(cmd, sql, " AND risk >= $risk", "$risk", (int)risk);
        if (q.From is { } from)
            Add(cmd, sql, " AND t >= $from", "$from", from.UtcTicks);
        if (q.To is { } to)
            Add(cmd, sql, " AND t < $to", "$to", to.UtcTicks);
        if (before is { } cursor)
        {
            sql.Append(" AND (t < $ct OR (t = $ct AND id < $cid))");
            cmd.Parameters.AddWithValue("$ct", cursor.TimeTicks);
            cmd.Parameters.AddWithValue("$cid", cursor.Id);
        }
        // Values only, like the in-memory matcher: keys and JSON escapes must not match.
        if (q.Text is not null)
            Add(cmd, sql, " AND EXISTS (SELECT 1 FROM json_each(events.attrs) WHERE instr(json_each.value, $text) > 0)", "$text", q.Text);
        sql.Append(" ORDER BY t DESC, id DESC LIMIT $limit");
        cmd.Parameters.AddWithValue("$limit", limit);
        cmd.CommandText = sql.ToString();
    }

    private static void Add(SqliteCommand cmd, StringBuilder sql, string clause, string name, object value)
    {
        sql.Append(clause);
        cmd.Parameters.AddWithValue(name, value);
    }
}
