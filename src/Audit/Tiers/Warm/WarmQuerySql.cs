using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Query;

namespace Sandboxd.Audit.Tiers.Warm;

/// <summary>Turns an <see cref="AuditQuery"/> into one parameterised SELECT over both warm tables:
/// the newest matches of <c>events</c> (each filter is a column an index starts with, so SQLite can
/// pick the narrowest) and of <c>staged</c> (a scan, which the merge keeps short), then the newest of
/// the two. The tables never share an id, so UNION ALL needs no dedupe.</summary>
internal static class WarmQuerySql
{
    public static void Build(SqliteCommand cmd, AuditQuery q, string? tenant, PageCursor? before, int limit)
    {
        var where = new StringBuilder("1=1");
        if (tenant is not null)
            Add(cmd, where, " AND tenant = $tenant", "$tenant", tenant);
        if (q.SandboxId is not null)
            Add(cmd, where, " AND sandbox = $sandbox", "$sandbox", q.SandboxId);
        if (q.ExecutionId is not null)
            Add(cmd, where, " AND execution = $execution", "$execution", q.ExecutionId);
        if (q.Kinds is { Count: > 0 } kinds)
        {
            where.Append(" AND kind IN (");
            for (int i = 0; i < kinds.Count; i++)
            {
                string name = "$k" + i.ToString(CultureInfo.InvariantCulture);
                where.Append(i == 0 ? "" : ",").Append(name);
                cmd.Parameters.AddWithValue(name, (int)kinds[i]);
            }
            where.Append(')');
        }
        if (q.MinRisk is { } risk)
            Add(cmd, where, " AND risk >= $risk", "$risk", (int)risk);
        if (q.From is { } from)
            Add(cmd, where, " AND t >= $from", "$from", from.UtcTicks);
        if (q.To is { } to)
            Add(cmd, where, " AND t < $to", "$to", to.UtcTicks);
        if (before is { } cursor)
        {
            where.Append(" AND (t < $ct OR (t = $ct AND id < $cid))");
            cmd.Parameters.AddWithValue("$ct", cursor.TimeTicks);
            cmd.Parameters.AddWithValue("$cid", cursor.Id);
        }
        // Values only, like the in-memory matcher: keys and JSON escapes must not match.
        if (q.Text is not null)
            Add(cmd, where, " AND EXISTS (SELECT 1 FROM json_each(e.attrs) WHERE instr(json_each.value, $text) > 0)", "$text", q.Text);
        cmd.Parameters.AddWithValue("$limit", limit);
        cmd.CommandText = AcrossTables($"WHERE {where}", "ORDER BY t DESC, id DESC LIMIT $limit");
    }

    /// <summary>The same filter, order and limit on each table, as one compound SELECT, and the same
    /// order and limit again over the union. Each arm is a subquery so that its own ORDER BY and LIMIT
    /// (and index) apply.</summary>
    public static string AcrossTables(string where, string orderLimit) =>
        string.Join(" UNION ALL ", WarmSchema.Tables.Select(table =>
            $"SELECT * FROM (SELECT {WarmSchema.Columns} FROM {table} AS e {where} {orderLimit})")) + " " + orderLimit;

    private static void Add(SqliteCommand cmd, StringBuilder sql, string clause, string name, object value)
    {
        sql.Append(clause);
        cmd.Parameters.AddWithValue(name, value);
    }
}
