using System.Globalization;
using System.Text;

namespace Sandboxd.Bench;

/// <summary>The audit section as markdown, like the lifecycle table.</summary>
public static class AuditBenchTable
{
    public static string Render(string machine, long events, TimeSpan took, IEnumerable<AuditBenchRow> rows)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Audit pipeline, {events:N0} events · measured {machine}\n\n");
        text.Append("| measure | value | target | |\n|---|---:|---|---|\n");
        foreach (var row in rows)
            text.Append(CultureInfo.InvariantCulture,
                $"| {row.Measure} | {row.Value} | {row.Target} | {(row.Passes is { } ok ? ok ? "PASS" : "MISS" : "")} |\n");
        text.Append(CultureInfo.InvariantCulture, $"\nWhole run {took.TotalSeconds:F0} s. AUDIT_BENCH_EVENTS sets the ingested events (default 1M), AUDIT_BENCH_QUERY_ROWS the rows of the second query scale (default 10M; 0 skips it).\n");
        return text.ToString();
    }
}
