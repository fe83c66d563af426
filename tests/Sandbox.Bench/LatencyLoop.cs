using System.Diagnostics;

namespace Sandboxd.Bench;

/// <summary>Runs one operation repeatedly and times each run. Warm-up runs (JIT, page cache,
/// the daemon's first-use paths) are executed but not recorded.</summary>
public sealed class LatencyLoop(int count, int warmup)
{
    public int Count { get; } = count;

    public Task<Samples> MeasureAsync(Pacing pacing, Func<Task> operation) =>
        MeasureAsync(pacing, async () => { await operation(); return 0; }, _ => Task.CompletedTask);

    /// <summary>With an untimed <paramref name="after"/> step that gets each run's result (e.g.
    /// destroying the sandbox a timed create made).</summary>
    public async Task<Samples> MeasureAsync<T>(Pacing pacing, Func<Task<T>> operation, Func<T, Task> after)
    {
        for (var i = 0; i < warmup; i++)
            await after(await operation());
        var times = new long[Count];
        for (var i = 0; i < Count; i++)
        {
            // The pause comes before the timed run so every recorded run follows an idle gap.
            if (pacing.Idle > TimeSpan.Zero)
                await Task.Delay(pacing.Idle);
            var start = Stopwatch.GetTimestamp();
            var result = await operation();
            times[i] = (long)((Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency));
            await after(result);
        }
        return new Samples(times);
    }
}
