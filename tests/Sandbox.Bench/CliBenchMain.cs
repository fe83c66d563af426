using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sandboxd.Api.V1;

namespace Sandboxd.Bench;

/// <summary>`Sandbox.Bench cli --sandboxd PATH --native PATH --jit PATH [--out FILE]`: the wall time
/// of `sandboxctl list` (process start-up plus one unary call) from the NativeAOT binary beside the
/// same program built for the JIT, timed by hyperfine against a bench daemon holding a few
/// sandboxes. Issue 9's target: the native p50 at most 25 ms.</summary>
public static class CliBenchMain
{
    private const double TargetMs = 25;
    private const int Sandboxes = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 1; i + 1 < args.Length; i += 2)
            options[args[i]] = args[i + 1];
        if (!options.TryGetValue("--sandboxd", out var daemonPath) || !options.TryGetValue("--native", out var native)
            || !options.TryGetValue("--jit", out var jit))
        {
            Console.Error.WriteLine("usage: Sandbox.Bench cli --sandboxd PATH --native PATH --jit PATH [--out FILE]");
            return 2;
        }
        var output = options.GetValueOrDefault("--out", "out/bench/cli.md");
        var runs = int.Parse(Environment.GetEnvironmentVariable("BENCH_N") ?? "100", CultureInfo.InvariantCulture);
        var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);
        using var daemon = BenchDaemon.Start(daemonPath);
        using var client = daemon.Connect();
        var ids = new List<string>();
        for (var i = 0; i < Sandboxes; i++)
            ids.Add((await client.CreateAsync(new CreateRequest()).ConfigureAwait(false)).Id);
        try
        {
            var medians = RunHyperfine(runs, [$"{native} --socket {daemon.Socket} list", $"{jit} --socket {daemon.Socket} list"]);
            var table = Render(machine, runs, medians[0], medians[1]);
            Console.WriteLine(table);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output, table).ConfigureAwait(false);
            Console.Error.WriteLine($"written: {output}");
            return 0;
        }
        finally
        {
            foreach (var id in ids)
                await client.DestroyAsync(id).ConfigureAwait(false);
        }
    }

    /// <summary>Both commands in one hyperfine run (they alternate per benchmark, after warm-up);
    /// returns each one's (median, mean, stddev) in seconds from hyperfine's JSON export.</summary>
    private static (double Median, double Mean, double Stddev)[] RunHyperfine(int runs, string[] commands)
    {
        var export = Path.Combine(Path.GetTempPath(), $"sbx-cli-bench-{Environment.ProcessId}.json");
        var start = new ProcessStartInfo("hyperfine") { RedirectStandardOutput = true };
        foreach (var arg in new[] { "-N", "--warmup", "10", "--runs", runs.ToString(CultureInfo.InvariantCulture), "--export-json", export, "--style", "basic" })
            start.ArgumentList.Add(arg);
        foreach (var command in commands)
            start.ArgumentList.Add(command);
        using (var process = Process.Start(start) ?? throw new InvalidOperationException("could not start hyperfine"))
        {
            Console.Error.Write(process.StandardOutput.ReadToEnd());
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"hyperfine exited {process.ExitCode}");
        }
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(export));
            return json.RootElement.GetProperty("results").EnumerateArray()
                .Select(r => (r.GetProperty("median").GetDouble(), r.GetProperty("mean").GetDouble(), r.GetProperty("stddev").GetDouble()))
                .ToArray();
        }
        finally
        {
            File.Delete(export);
        }
    }

    private static string Render(string machine, int runs, (double Median, double Mean, double Stddev) native, (double Median, double Mean, double Stddev) jit)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured {machine}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"`sandboxctl list` against a daemon with {Sandboxes} sandboxes: process start-up plus one unary call ({runs} runs each, hyperfine, interleaved after warm-up)\n\n");
        text.Append("| build | p50 ms | mean ± sd ms | ratio vs JIT | today | target | verdict |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---|\n");
        text.Append(CultureInfo.InvariantCulture,
            $"| NativeAOT (`make build`'s bin/sandboxctl) | {native.Median * 1000:F1} | {native.Mean * 1000:F1} ± {native.Stddev * 1000:F1} | {native.Median / jit.Median:F2}× | ~200 ms | ≤ {TargetMs:F0} ms | {(native.Median * 1000 <= TargetMs ? "PASS" : "MISS")} |\n");
        text.Append(CultureInfo.InvariantCulture,
            $"| JIT (same program, framework-dependent) | {jit.Median * 1000:F1} | {jit.Mean * 1000:F1} ± {jit.Stddev * 1000:F1} | 1.00× | — | — | — |\n");
        return text.ToString();
    }
}
