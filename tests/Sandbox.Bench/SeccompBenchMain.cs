using System.Globalization;
using System.Text;

namespace Sandboxd.Bench;

/// <summary>`Sandbox.Bench seccomp --sandboxd PATH --probe-dir DIR [--out FILE]`: the cost of a
/// refused call routed through the daemon (see <see cref="SeccompDenialBench"/>). Needs root.</summary>
public static class SeccompBenchMain
{
    private const int Runs = 7;
    private const double DaemonRefusalTarget = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 1; i + 1 < args.Length; i += 2)
            options[args[i]] = args[i + 1];
        if (!options.TryGetValue("--sandboxd", out var daemon) || !options.TryGetValue("--probe-dir", out var probes))
        {
            Console.Error.WriteLine("usage: Sandbox.Bench seccomp --sandboxd PATH --probe-dir DIR [--out FILE]");
            return 2;
        }
        var output = options.GetValueOrDefault("--out", "out/bench/seccomp.md");
        var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);
        Console.Error.WriteLine($"sandboxd seccomp bench: {Runs} runs of {SeccompDenialBench.Calls} calls per scenario");
        var rows = await new SeccompDenialBench(daemon, Path.Combine(probes, "syscall-try"), Path.Combine(probes, "seccomp-run"), Runs)
            .RunAsync().ConfigureAwait(false);
        var table = Render(machine, rows);
        Console.WriteLine(table);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, table).ConfigureAwait(false);
        Console.Error.WriteLine($"written: {output}");
        return 0;
    }

    private static string Render(string machine, IReadOnlyList<(string Scenario, double[] NsPerCall)> rows)
    {
        var peer = Median(rows[0].NsPerCall);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured {machine}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"| scenario ({SeccompDenialBench.Calls} calls per run) | runs | best µs/call | median µs/call | ratio vs peer | today | target | verdict |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var (scenario, ns) = rows[i];
            var ratio = Median(ns) / peer;
            // Issue 9's target is for the refusal answered through the daemon (the second row).
            var target = i == 1 ? $"60× | ≤ {DaemonRefusalTarget:F0}× | {(ratio <= DaemonRefusalTarget ? "PASS" : "MISS")}" : "— | — | —";
            text.Append(CultureInfo.InvariantCulture,
                $"| {scenario} | {ns.Length} | {ns.Min() / 1000:F2} | {Median(ns) / 1000:F2} | {ratio:F1}× | {target} |\n");
        }
        text.Append("\nRatios are of medians measured in this run, interleaved. The peer is what a refusal cost before it was audited.\n");
        return text.ToString();
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
