using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>Measures every scenario in one run, so the ratios compare like with like on a
/// noisy machine: sandboxd's full cycle against one bubblewrap run, and exec in an existing
/// sandbox against the plain fork+exec floor — each back to back and 100 ms apart.</summary>
public sealed class LifecycleBench(BenchOptions options)
{
    private const double FullCycleTarget = 1.0;
    private const double ExecTarget = 1.5;

    private readonly LatencyLoop _loop = new(options.Count, options.Warmup);

    public async Task<IReadOnlyList<ResultRow>> RunAsync()
    {
        var bwrap = new BwrapPeer(options.Bwrap);
        var floor = new ForkExecFloor(options.ForkExec, options.Warmup);
        var peers = new List<ResultRow>();
        var subjects = new List<ResultRow>();

        using var daemon = BenchDaemon.Start(options.Sandboxd);
        using var client = daemon.Connect();
        var sandboxd = new SandboxdScenarios(client);

        foreach (var pacing in Pacing.Both)
        {
            var bwrapRow = Report(new ResultRow($"peer: bwrap --unshare-all /bin/true, {pacing.Name}",
                await _loop.MeasureAsync(pacing, bwrap.RunOnceAsync)));
            var floorRow = Report(new ResultRow($"floor: fork+execve+waitpid (C), {pacing.Name}",
                await floor.MeasureAsync(options.Count, pacing)));
            peers.Add(bwrapRow);
            peers.Add(floorRow);

            subjects.Add(Report(new ResultRow($"sandboxd create→exec /bin/true→destroy, {pacing.Name}",
                await _loop.MeasureAsync(pacing, sandboxd.FullCycleAsync),
                new Comparison("bwrap", bwrapRow.Samples, FullCycleTarget))));

            // One long-lived sandbox per pacing: only the exec path is timed, not its creation.
            var existing = await sandboxd.CreateAsync();
            try
            {
                subjects.Add(Report(new ResultRow($"sandboxd exec /bin/true in an existing sandbox, {pacing.Name}",
                    await _loop.MeasureAsync(pacing, () => sandboxd.ExecTrueAsync(existing)),
                    new Comparison("fork+exec", floorRow.Samples, ExecTarget))));
            }
            finally
            {
                await sandboxd.DestroyAsync(existing);
            }
        }
        // Grouped for reading: full cycles, then execs, then bwrap rows, then floor rows.
        return [.. subjects.OrderBy(row => row.Against?.Target), .. peers.OrderBy(row => row.Scenario.StartsWith("floor", StringComparison.Ordinal))];
    }

    /// <summary>Progress on stderr: a full run takes minutes, and a partial result helps when
    /// a later scenario fails.</summary>
    private static ResultRow Report(ResultRow row)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {row.Scenario}: n={row.Samples.Count} p50={row.Samples.P50Ms:F2} ms p99={row.Samples.P99Ms:F2} ms"));
        return row;
    }
}
