using System.Diagnostics;
using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>`Sandbox.Bench audit [--out FILE]`: the audit section of `make bench`. Needs no root.</summary>
public static class AuditBenchMain
{
    public const long DefaultEvents = 1_000_000;

    /// <summary>The rows warm holds for the second set of query rows (the issue asks for 1M and 10M).</summary>
    public const long DefaultQueryScale = 10_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        string output = args.Length == 3 && args[1] == "--out" ? args[2] : "out/bench/audit.md";
        long events = Setting("AUDIT_BENCH_EVENTS", DefaultEvents, 10_000);
        long queryScale = Setting("AUDIT_BENCH_QUERY_ROWS", DefaultQueryScale, 0);
        var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);
        Console.Error.WriteLine($"sandboxd audit bench: {events:N0} events, queries again at {Math.Max(events, queryScale):N0} rows");
        var watch = Stopwatch.StartNew();
        var rows = await new AuditBench(events, queryScale).RunAsync().ConfigureAwait(false);
        var table = AuditBenchTable.Render(machine, events, watch.Elapsed, rows);
        Console.WriteLine(table);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, table).ConfigureAwait(false);
        Console.Error.WriteLine($"written: {output}");
        return 0;
    }

    private static long Setting(string name, long fallback, long min)
    {
        var text = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(text) ? fallback
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= min ? n
            : throw new ArgumentException($"{name} must be an integer ≥ {min}, not '{text}'");
    }
}
