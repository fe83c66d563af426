using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>Measures every scenario in one run, so the ratios compare like with like on a
/// noisy machine: sandboxd's full cycle against one bubblewrap run, exec in an existing sandbox
/// against the plain fork+exec floor plus one unary round trip — each back to back and 100 ms
/// apart. The daemon logs each operation's stages (--stage-timings), and a row that misses its
/// target carries their breakdown. Targets and "today" are issue 9's.</summary>
public sealed class LifecycleBench(BenchOptions options)
{
    private readonly LatencyLoop _loop = new(options.Count, options.Warmup);
    private readonly BwrapPeer _bwrap = new(options.Bwrap);
    private readonly ForkExecFloor _floor = new(options.ForkExec, options.Warmup);
    private readonly List<ResultRow> _subjects = [];
    private readonly List<ResultRow> _peers = [];
    private readonly List<ResultRow> _steps = [];

    public async Task<IReadOnlyList<ResultRow>> RunAsync()
    {
        using var daemon = BenchDaemon.Start(options.Sandboxd, ["--stage-timings"]);
        using var client = daemon.Connect();
        var sandboxd = new SandboxdScenarios(client);
        var log = new StageLog(daemon);
        foreach (var pacing in Pacing.Both)
            await MeasureAsync(pacing, sandboxd, log);
        // Grouped for reading: the targets, then bwrap rows, floor and round-trip rows, and the
        // full cycle's steps last (they explain a row above rather than compare with anything).
        return [.. _subjects, .. _peers.OrderBy(row => row.Scenario.StartsWith("peer", StringComparison.Ordinal) ? 0 : 1), .. _steps];
    }

    /// <summary>Peers first, then sandboxd, all with the same pacing, so each ratio's two sides
    /// were measured minutes apart at most.</summary>
    private async Task MeasureAsync(Pacing pacing, SandboxdScenarios sandboxd, StageLog log)
    {
        var bwrap = Add(_peers, new ResultRow($"peer: bwrap --unshare-all /bin/true, {pacing.Name}",
            await _loop.MeasureAsync(pacing, _bwrap.RunOnceAsync)));
        var floor = Add(_peers, new ResultRow($"floor: fork+execve+waitpid (C), {pacing.Name}",
            await _floor.MeasureAsync(options.Count, pacing)));

        if (Wanted("cycle"))
            await MeasureCycleAsync(pacing, sandboxd, log, bwrap);
        if (Wanted("pool"))
        {
            // Each timed create is followed (untimed) by its destroy and a pause long enough for the
            // pool to have a prepared sandbox again, so every timed create can be served from it.
            var mark = log.Mark();
            var pooled = await _loop.MeasureAsync(pacing, sandboxd.CreateAsync, sandboxd.DestroyAndLetPoolRefillAsync);
            Add(_subjects, new ResultRow($"create from the warm pool, {pacing.Name}", pooled, Comparison.AtMostMs(1.0, "3.5 ms"))
            {
                Stages = await BreakdownAsync(log, mark, [("create", pooled)]),
            });
        }
        if (Wanted("exec"))
            await MeasureExecAsync(pacing, sandboxd, log, floor);
    }

    /// <summary>BENCH_ONLY (e.g. "exec" or "cycle,pool") limits a run to some rows while iterating.</summary>
    private static bool Wanted(string group) =>
        Environment.GetEnvironmentVariable("BENCH_ONLY") is not { Length: > 0 } only
        || only.Split(',', StringSplitOptions.TrimEntries).Contains(group, StringComparer.Ordinal);

    private async Task MeasureCycleAsync(Pacing pacing, SandboxdScenarios sandboxd, StageLog log, ResultRow bwrap)
    {
        sandboxd.Steps.Clear();
        var mark = log.Mark();
        var cycle = await _loop.MeasureAsync(pacing, sandboxd.FullCycleAsync);
        var steps = sandboxd.Steps.Steps.ToDictionary(step => step, step => sandboxd.Steps.Last(step, options.Count));
        Add(_subjects, new ResultRow($"create→exec /bin/true→destroy, {pacing.Name}", cycle,
            Comparison.Against("bwrap", bwrap.Samples, 0.6, "2.6× / 2.8× bwrap"))
        {
            Stages = await BreakdownAsync(log, mark, [("create", steps["create"]), ("exec", steps["exec"]), ("destroy", steps["destroy"])]),
        });
        foreach (var (step, samples) in steps)
            Add(_steps, new ResultRow($"↳ full cycle, {step} step, {pacing.Name}", samples));
    }

    private async Task MeasureExecAsync(Pacing pacing, SandboxdScenarios sandboxd, StageLog log, ResultRow floor)
    {
        int mark;
        // A long-lived sandbox per pacing: only the exec path is timed, not its creation.
        var existing = await sandboxd.CreateAsync();
        ResultRow exec;
        try
        {
            var unary = Add(_peers, new ResultRow($"unary round trip (List), {pacing.Name}",
                await _loop.MeasureAsync(pacing, sandboxd.UnaryAsync)));
            var floorPlusUnary = new Samples([(long)((floor.Samples.P50Ms + unary.Samples.P50Ms) * 1e6)]);
            mark = log.Mark();
            var samples = await _loop.MeasureAsync(pacing, () => sandboxd.ExecTrueAsync(existing));
            exec = Add(_subjects, new ResultRow($"exec /bin/true in a live sandbox, {pacing.Name}", samples,
                Comparison.Against("(floor + unary)", floorPlusUnary, 1.5, "6.4× floor"))
            {
                Stages = await BreakdownAsync(log, mark, [("exec", samples)]),
            });
        }
        finally
        {
            await sandboxd.DestroyAsync(existing);
        }
        var large = await sandboxd.CreateAsync();
        try
        {
            await sandboxd.FillLayerAsync(large, 10_000);
            mark = log.Mark();
            var samples = await _loop.MeasureAsync(pacing, () => sandboxd.ExecTrueAsync(large));
            Add(_subjects, new ResultRow($"exec /bin/true, 10,000 files in the writable layer, {pacing.Name}", samples,
                Comparison.Against("exec", exec.Samples, 1.2, "7× exec"))
            {
                Stages = await BreakdownAsync(log, mark, [("exec", samples)]),
            });
        }
        finally
        {
            await sandboxd.DestroyAsync(large);
        }
    }

    private async Task<IReadOnlyList<StageBreakdown>> BreakdownAsync(StageLog log, int mark, (string Operation, Samples Client)[] operations)
    {
        var breakdowns = new List<StageBreakdown>();
        foreach (var (operation, client) in operations)
        {
            if (StageBreakdown.From(operation, await log.LastAsync(mark, operation, options.Count), client.P50Ms) is { } breakdown)
                breakdowns.Add(breakdown);
        }
        return breakdowns;
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
