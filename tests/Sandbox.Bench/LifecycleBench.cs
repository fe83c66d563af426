using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>Measures every scenario in one run, so the ratios compare like with like on a
/// noisy machine: sandboxd's full cycle against one bubblewrap run, and exec in an existing
/// sandbox against the plain fork+exec floor — each back to back and 100 ms apart.</summary>
public sealed class LifecycleBench(BenchOptions options)
{
    private const double FullCycleTarget = 1.0;
    private const double ExecTarget = 1.5;

    /// <summary>The file audit walks the writable layer after each exec, and the next exec waits
    /// for that walk: with 10,000 files in the layer that wait is the walk's whole cost.</summary>
    private const double LargeLayerExecTarget = 3.0;

    private readonly LatencyLoop _loop = new(options.Count, options.Warmup);
    private readonly BwrapPeer _bwrap = new(options.Bwrap);
    private readonly ForkExecFloor _floor = new(options.ForkExec, options.Warmup);
    private readonly List<ResultRow> _subjects = [];
    private readonly List<ResultRow> _peers = [];
    private readonly List<ResultRow> _steps = [];

    public async Task<IReadOnlyList<ResultRow>> RunAsync()
    {
        using var daemon = BenchDaemon.Start(options.Sandboxd);
        using var client = daemon.Connect();
        var sandboxd = new SandboxdScenarios(client);
        foreach (var pacing in Pacing.Both)
            await MeasureAsync(pacing, sandboxd);
        // Grouped for reading: full cycles, then execs, then bwrap rows, floor rows, and the
        // full cycle's steps last (they explain a row above rather than compare with anything).
        return
        [
            .. _subjects.OrderBy(row => row.Against?.Target),
            .. _peers.OrderBy(row => row.Scenario.StartsWith("floor", StringComparison.Ordinal)),
            .. _steps,
        ];
    }

    /// <summary>Peers first, then sandboxd, all with the same pacing, so each ratio's two sides
    /// were measured minutes apart at most.</summary>
    private async Task MeasureAsync(Pacing pacing, SandboxdScenarios sandboxd)
    {
        var bwrap = Add(_peers, new ResultRow($"peer: bwrap --unshare-all /bin/true, {pacing.Name}",
            await _loop.MeasureAsync(pacing, _bwrap.RunOnceAsync)));
        var floor = Add(_peers, new ResultRow($"floor: fork+execve+waitpid (C), {pacing.Name}",
            await _floor.MeasureAsync(options.Count, pacing)));

        sandboxd.Steps.Clear();
        Add(_subjects, new ResultRow($"sandboxd create→exec /bin/true→destroy, {pacing.Name}",
            await _loop.MeasureAsync(pacing, sandboxd.FullCycleAsync),
            new Comparison("bwrap", bwrap.Samples, FullCycleTarget)));
        foreach (var step in sandboxd.Steps.Steps)
            Add(_steps, new ResultRow($"↳ full cycle, {step} step, {pacing.Name}", sandboxd.Steps.Last(step, options.Count)));

        // A long-lived sandbox per pacing: only the exec path is timed, not its creation.
        var existing = await sandboxd.CreateAsync();
        ResultRow exec;
        try
        {
            exec = Add(_subjects, new ResultRow($"sandboxd exec /bin/true in an existing sandbox, {pacing.Name}",
                await _loop.MeasureAsync(pacing, () => sandboxd.ExecTrueAsync(existing)),
                new Comparison("fork+exec", floor.Samples, ExecTarget)));
        }
        finally
        {
            await sandboxd.DestroyAsync(existing);
        }
        var large = await sandboxd.CreateAsync();
        try
        {
            await sandboxd.FillLayerAsync(large, 10_000);
            Add(_subjects, new ResultRow($"sandboxd exec /bin/true, 10,000 files in the writable layer, {pacing.Name}",
                await _loop.MeasureAsync(pacing, () => sandboxd.ExecTrueAsync(large)),
                new Comparison("exec in an existing sandbox", exec.Samples, LargeLayerExecTarget)));
        }
        finally
        {
            await sandboxd.DestroyAsync(large);
        }
    }

    /// <summary>Also reports progress on stderr: a full run takes minutes, and a partial result
    /// helps when a later scenario fails.</summary>
    private static ResultRow Add(List<ResultRow> rows, ResultRow row)
    {
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {row.Scenario}: n={row.Samples.Count} p50={row.Samples.P50Ms:F2} ms p99={row.Samples.P99Ms:F2} ms"));
        rows.Add(row);
        return row;
    }
}
