using System.Globalization;
using System.Text;

namespace Sandboxd.Bench;

/// <summary>Renders the single lifecycle table as markdown, which reads fine on a terminal and
/// can be quoted as is in notes.</summary>
public static class ResultTable
{
    public static string Render(string machine, IEnumerable<ResultRow> rows)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured {machine}\n\n");
        text.Append("| scenario | n | p50 | p99 | ratio vs peer |\n");
        text.Append("|---|---:|---:|---:|---|\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {row.Samples.Count} | {row.Samples.P50Ms:F2} ms | {row.Samples.P99Ms:F2} ms | {RatioCell(row)} |\n");
        }
        text.Append("\nRatios are of p50s measured in this run; targets are informational. ");
        text.Append(CultureInfo.InvariantCulture, $"Peer: `{BwrapPeer.CommandLine}`.\n");
        return text.ToString();
    }

    private static string RatioCell(ResultRow row)
    {
        if (row.Against is not { } against)
            return "—";
        var verdict = against.Passes(row.Samples) ? "PASS" : "MISS";
        return string.Create(CultureInfo.InvariantCulture,
            $"{against.Ratio(row.Samples):F2}× {against.PeerName} (target ≤ {against.Target:F1}×) {verdict}");
    }
}
