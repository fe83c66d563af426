using System.Diagnostics;

namespace Sandboxd.Bench;

/// <summary>Runs one operation repeatedly and times each run. Warm-up runs (JIT, page cache,
/// the daemon's first-use paths) are executed but not recorded.</summary>
public sealed class LatencyLoop(int count, int warmup)
{
    public int Count { get; } = count;

    public async Task<Samples> MeasureAsync(Pacing pacing, Func<Task> operation)
    {
        for (var i = 0; i < warmup; i++)
            await operation();
        var times = new long[Count];
        for (var i = 0; i < Count; i++)
        {
            // The pause comes before the timed run so every recorded run follows an idle gap.
            if (pacing.Idle > TimeSpan.Zero)
                await Task.Delay(pacing.Idle);
            var start = Stopwatch.GetTimestamp();
            await operation();
            times[i] = (long)((Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency));
        }
        return new Samples(times);
    }
}
