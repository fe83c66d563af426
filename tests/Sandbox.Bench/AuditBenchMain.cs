using System.Diagnostics;
using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>`Sandbox.Bench audit [--out FILE]`: the audit section of `make bench`. Needs no root.</summary>
public static class AuditBenchMain
{
    public const long DefaultEvents = 1_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        string output = args.Length == 3 && args[1] == "--out" ? args[2] : "out/bench/audit.md";
        var text = Environment.GetEnvironmentVariable("AUDIT_BENCH_EVENTS");
        long events = string.IsNullOrEmpty(text) ? DefaultEvents
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= 10_000 ? n
            : throw new ArgumentException($"AUDIT_BENCH_EVENTS must be an integer ≥ 10000, not '{text}'");
        var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);
        Console.Error.WriteLine($"sandboxd audit bench: {events:N0} events");
        var watch = Stopwatch.StartNew();
        var rows = await new AuditBench(events).RunAsync().ConfigureAwait(false);
        var table = AuditBenchTable.Render(machine, events, watch.Elapsed, rows);
        Console.WriteLine(table);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, table).ConfigureAwait(false);
        Console.Error.WriteLine($"written: {output}");
        return 0;
    }
}
