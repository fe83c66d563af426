using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>Sandboxes as an aligned table for people.</summary>
internal static class SandboxTable
{
    private static readonly string[] Header = ["ID", "STATE", "SINCE", "HOSTNAME", "INIT PID", "RISK", "CREATED", "DEADLINE", "IMAGE", "CAUSE"];

    public static void Print(IEnumerable<Sandbox> sandboxes)
    {
        var rows = new List<string[]> { Header };
        foreach (var s in sandboxes)
            rows.Add([s.Id, StateName(s.State), Time(s.StateChangedUnixMs), s.Hostname,
                s.InitPid.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Risk, Time(s.CreatedUnixMs),
                Time(s.DeadlineUnixMs), s.Image.Length == 0 ? "(default)" : s.Image, s.StateCause]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
    }

    private static string Time(long unixMs) => unixMs == 0 ? "-"
        : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public static string StateName(SandboxState state) =>
        state.ToString().Replace("SandboxState", "", StringComparison.Ordinal).ToLowerInvariant();
}
