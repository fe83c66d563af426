using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>One "sbx-stages op=exec total=… checks=…" line of the daemon's log (microseconds).</summary>
public sealed record StageLine(string Operation, IReadOnlyDictionary<string, string> Detail, IReadOnlyDictionary<string, double> Stages)
{
    private const string Marker = "sbx-stages ";

    public static StageLine? Parse(string logLine)
    {
        var at = logLine.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
            return null;
        string op = "";
        var detail = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var field in logLine[(at + Marker.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                continue;
            var (key, value) = (field[..eq], field[(eq + 1)..]);
            if (key == "op")
                op = value;
            else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var us))
                stages[key] = us;
            else
                detail[key] = value;
        }
        return op.Length == 0 ? null : new StageLine(op, detail, stages);
    }
}
