using System.Globalization;
using System.Text;

namespace Sandboxd.Bench;

/// <summary>Renders the lifecycle table as markdown, which reads fine on a terminal and can be
/// quoted as is in notes; then, for every row that misses its target, where its time went.</summary>
public static class ResultTable
{
    public static string Render(string machine, IEnumerable<ResultRow> rows)
    {
        var all = rows.ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured {machine}\n\n");
        text.Append("| scenario | n | p50 | p99 | today | target | measured | verdict |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var row in all)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {row.Scenario} | {row.Samples.Count} | {row.Samples.P50Ms:F2} ms | {row.Samples.P99Ms:F2} ms | ");
            if (row.Against is { } against)
                text.Append(CultureInfo.InvariantCulture, $"{against.Today} | {against.TargetText} | {against.MeasuredText(row.Samples)} | {(against.Passes(row.Samples) ? "PASS" : "MISS")} |\n");
            else
                text.Append("— | — | — | — |\n");
        }
        text.Append("\nRatios are of p50s measured in this run. ");
        text.Append(CultureInfo.InvariantCulture, $"Peer: `{BwrapPeer.CommandLine}`.\n");
        foreach (var row in all.Where(r => r.Against is { } a && !a.Passes(r.Samples) && r.Stages.Count > 0))
        {
            text.Append(CultureInfo.InvariantCulture, $"\nWhere the time goes — {row.Scenario} (MISS, client p50 {row.Samples.P50Ms:F2} ms):\n\n");
            foreach (var op in row.Stages)
                text.Append(op.Render());
        }
        return text.ToString();
    }
}
