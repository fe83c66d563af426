using System.Globalization;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>Audit events as an aligned table (or one line each while tailing) for people.</summary>
internal static class AuditTable
{
    private static readonly string[] Header = ["TIME", "KIND", "SANDBOX", "EXECUTION", "TENANT", "DETAILS"];

    // Shown first when present: what a person scanning the record asks about.
    private static readonly string[] Leading = ["argv", "exit", "signal", "error", "image", "profile"];

    public static void Print(IEnumerable<AuditEvent> events)
    {
        var rows = new List<string[]> { Header };
        rows.AddRange(events.Select(Row));
        var widths = Enumerable.Range(0, Header.Length - 1).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => c < widths.Length ? cell.PadRight(widths[c]) : cell)).TrimEnd());
    }

    public static string Line(AuditEvent ev) => string.Join("  ", Row(ev)).TrimEnd();

    public static string[] Row(AuditEvent ev) =>
    [
        DateTimeOffset.FromUnixTimeMilliseconds(ev.TimeUnixMs).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        ev.KindName.Length > 0 ? ev.KindName : ev.Kind.ToString(CultureInfo.InvariantCulture),
        Dash(ev.SandboxId), Dash(ev.ExecutionId), Dash(ev.Tenant), Details(ev),
    ];

    private static string Details(AuditEvent ev) =>
        string.Join(" ", ev.Attributes
            .OrderBy(a => Array.IndexOf(Leading, a.Key) is var i && i >= 0 ? i : Leading.Length)
            .ThenBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => $"{a.Key}={a.Value}"));

    private static string Dash(string value) => value.Length == 0 ? "-" : value;
}
