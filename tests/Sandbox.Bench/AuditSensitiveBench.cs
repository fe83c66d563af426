using System.Diagnostics;
using System.Globalization;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;

namespace Sandboxd.Bench;

/// <summary>What sealing sensitive events into cold at once costs: denials against the same number
/// of ordinary events, in one pipeline, in the same run. A burst (group sealing: one segment per
/// batch that was waiting) and one event at a time (the worst case: a segment per event).</summary>
public sealed class AuditSensitiveBench(string dir, int burst = 20_000, int singles = 200)
{
    public async Task<List<AuditBenchRow>> RunAsync()
    {
        var rows = new List<AuditBenchRow>();
        var options = new AuditPipelineOptions { Directory = dir, MigrationInterval = TimeSpan.Zero };
        await using var pipeline = new AuditPipeline(options, TimeProvider.System);
        var attributes = new Dictionary<string, string> { ["dest"] = "203.0.113.9:443", ["rule"] = "deny-all" };

        // Warm-up, both kinds: JIT, SQLite's first pages and the cold directory are not what is measured.
        await BurstAsync(pipeline, AuditKind.NetworkAllowed, attributes, 1000).ConfigureAwait(false);
        await BurstAsync(pipeline, AuditKind.NetworkDenied, attributes, 1000).ConfigureAwait(false);
        var normalBurst = await BurstAsync(pipeline, AuditKind.NetworkAllowed, attributes, burst).ConfigureAwait(false);
        int segmentsBefore = pipeline.Cold.Segments.Count;
        var deniedBurst = await BurstAsync(pipeline, AuditKind.NetworkDenied, attributes, burst).ConfigureAwait(false);
        int segments = pipeline.Cold.Segments.Count - segmentsBefore;
        rows.Add(new AuditBenchRow($"burst of {burst / 1000}k denials durable in warm + cold, vs ordinary events",
            string.Create(CultureInfo.InvariantCulture,
                $"{deniedBurst.TotalMilliseconds:F0} ms vs {normalBurst.TotalMilliseconds:F0} ms ({deniedBurst / normalBurst:F1}×), {segments} cold segments"),
            "—", null));

        var normal = await SinglesAsync(pipeline, AuditKind.NetworkAllowed, attributes).ConfigureAwait(false);
        var denied = await SinglesAsync(pipeline, AuditKind.NetworkDenied, attributes).ConfigureAwait(false);
        double ratio = denied[denied.Count / 2] / normal[normal.Count / 2];
        rows.Add(new AuditBenchRow("one denial acknowledged (Emit + FlushAsync, cold included) vs one ordinary event",
            string.Create(CultureInfo.InvariantCulture,
                $"p50 {denied[denied.Count / 2]:F2} ms · p99 {P99(denied):F2} ms vs p50 {normal[normal.Count / 2]:F2} ms ({ratio:F1}×)"),
            "—", null));
        return rows;
    }

    private static async Task<TimeSpan> BurstAsync(AuditPipeline pipeline, AuditKind kind, Dictionary<string, string> attributes, int count)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
            pipeline.Emit(kind, AuditCorrelation.None, "sb-bench", "ex-bench", attributes);
        await pipeline.FlushAsync().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(t0);
    }

    private async Task<List<double>> SinglesAsync(AuditPipeline pipeline, AuditKind kind, Dictionary<string, string> attributes)
    {
        var samples = new List<double>(singles);
        for (int i = 0; i < singles + 10; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            pipeline.Emit(kind, AuditCorrelation.None, "sb-bench", "ex-bench", attributes);
            await pipeline.FlushAsync().ConfigureAwait(false);
            if (i >= 10) // the first ones warm the JIT and SQLite
                samples.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        samples.Sort();
        return samples;
    }

    private static double P99(List<double> sorted) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))];
}
