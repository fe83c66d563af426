using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>Where the programs under test are and how long to measure. Paths come from
/// scripts/bench.sh, which builds them; BENCH_N shortens a run for quick iterations.</summary>
public sealed record BenchOptions(string Sandboxd, string ForkExec, string Bwrap, string Output, int Count, int Warmup)
{
    public const int DefaultCount = 200;
    public const int DefaultWarmup = 20;

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i]] = args[i + 1];
        if (args.Length % 2 != 0 || !values.TryGetValue("--sandboxd", out var sandboxd)
            || !values.TryGetValue("--forkexec", out var forkExec))
            throw new ArgumentException("usage: Sandbox.Bench --sandboxd PATH --forkexec PATH [--bwrap PATH] [--out FILE]");
        return new BenchOptions(
            sandboxd,
            forkExec,
            values.GetValueOrDefault("--bwrap", "bwrap"),
            values.GetValueOrDefault("--out", "out/bench/lifecycle.md"),
            EnvCount("BENCH_N", DefaultCount),
            EnvCount("BENCH_WARMUP", DefaultWarmup));
    }

    private static int EnvCount(string name, int fallback)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(text))
            return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive integer, not '{text}'");
    }
}
