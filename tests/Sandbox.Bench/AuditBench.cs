using System.Diagnostics;
using System.Globalization;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Tiers.Cold;

namespace Sandboxd.Bench;

/// <summary>The audit pipeline in process, on a temp dir it deletes: ingest into hot (Emit),
/// durable into warm (every row committed), how long warm's merger takes to index them, query
/// latency by sandbox and by time range over the ingested record and again once warm holds
/// <paramref name="queryScale"/> rows, and the cold tier's compression ratio and speed.</summary>
public sealed class AuditBench(long events, long queryScale, int sandboxes = 1000, int queries = 300)
{
    private const int SegmentEvents = 50_000;
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1);

    public async Task<List<AuditBenchRow>> RunAsync()
    {
        var dir = Directory.CreateTempSubdirectory("sbx-auditbench-");
        try
        {
            return await RunInAsync(dir.FullName).ConfigureAwait(false);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private async Task<List<AuditBenchRow>> RunInAsync(string dir)
    {
        var rows = new List<AuditBenchRow>();
        var generator = new AuditBenchEvents(sandboxes);
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var options = new AuditPipelineOptions { Directory = Path.Combine(dir, "audit"), MigrationInterval = TimeSpan.Zero };
        await using (var pipeline = new AuditPipeline(options, new AuditBenchClock(start, Step)))
        {
            var watch = Stopwatch.StartNew();
            for (long i = 0; i < events; i++)
            {
                var e = generator.Get(i);
                pipeline.Emit(e.Kind, e.Caller, e.Sandbox, e.Execution, e.Attributes);
            }
            var emitted = watch.Elapsed;
            await pipeline.FlushAsync().ConfigureAwait(false);
            var flushed = watch.Elapsed;
            // Spilled events are durable in the journal at flush; "into warm" waits for their rows too.
            while (pipeline.Stats.WarmRows < events)
                await Task.Delay(5).ConfigureAwait(false);
            var inWarm = watch.Elapsed;
            rows.Add(Rate("ingest into hot (Emit)", events, emitted, 500_000));
            rows.Add(Rate("acknowledged durable (Emit + FlushAsync)", events, flushed, null));
            rows.Add(Rate("durable into warm (every row committed)", events, inWarm, 200_000));
            rows.Add(new AuditBenchRow("spilled to journal under that load", Count(pipeline.Stats.Spilled), "counted, 0 lost", pipeline.Stats.WarmRows == events));
            // Staged rows are queryable, but by a scan: a few queries now show what that costs while
            // the merger catches up; the query rows further down measure the indexed table.
            long waiting = pipeline.Stats.WarmRows - pipeline.Stats.WarmMerged;
            var catchingUp = new Random(11);
            var during = Measure(pipeline, () => new AuditQuery
            {
                Caller = AuditCaller.Operator, SandboxId = generator.Sandbox(catchingUp.Next(sandboxes)), Limit = 100,
            }, samples: 20, warmUp: 2);
            rows.Add(Latency($"query: a sandbox's last 100 while ~{Count(waiting)} rows wait for the merge", during) with { Target = "—", Passes = null });
            while (pipeline.Stats.WarmMerged < events)
                await Task.Delay(5).ConfigureAwait(false);
            rows.Add(Rate("indexed in warm (merger done, from the first Emit)", events, watch.Elapsed, null));
            rows.AddRange(Queries(pipeline, generator, start, events));
        }
        if (queryScale > events)
        {
            var watch = Stopwatch.StartNew();
            AuditBenchBulkLoad.Append(options.WarmPath, events + 1, queryScale, start, Step);
            rows.Add(new AuditBenchRow($"bulk load to {Scale(queryScale)} rows for the queries below (SQL insert, indexes rebuilt)",
                string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:F0} s"), "—", null));
            await using var pipeline = new AuditPipeline(options, new AuditBenchClock(start + Step * queryScale, Step));
            rows.AddRange(Queries(pipeline, generator, start, queryScale));
        }
        rows.AddRange(Cold(Path.Combine(dir, "cold"), generator, start));
        rows.AddRange(await new AuditSensitiveBench(Path.Combine(dir, "sensitive")).RunAsync().ConfigureAwait(false));
        return rows;
    }

    private IEnumerable<AuditBenchRow> Queries(AuditPipeline pipeline, AuditBenchEvents generator, DateTimeOffset start, long rows)
    {
        var random = new Random(7);
        yield return Latency($"query: a sandbox's last 100 at {Scale(rows)}", Measure(pipeline, () => new AuditQuery
        {
            Caller = AuditCaller.Operator, SandboxId = generator.Sandbox(random.Next(sandboxes)), Limit = 100,
        }));
        yield return Latency($"query: 1 s time range, 100 at {Scale(rows)}", Measure(pipeline, () =>
        {
            var from = start + Step * random.NextInt64(rows);
            return new AuditQuery { Caller = AuditCaller.Operator, From = from, To = from + TimeSpan.FromSeconds(1), Limit = 100 };
        }));
    }

    private List<double> Measure(AuditPipeline pipeline, Func<AuditQuery> next, int? samples = null, int warmUp = 20)
    {
        int count = samples ?? queries;
        var measured = new List<double>(count);
        for (int i = 0; i < count + warmUp; i++)
        {
            var query = next();
            long t0 = Stopwatch.GetTimestamp();
            var result = pipeline.Query(query);
            if (result.Events.Count == 0)
                throw new InvalidOperationException("a bench query found nothing: the record is not what was ingested");
            if (i >= warmUp) // the first ones warm SQLite's page cache and the JIT
                measured.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        measured.Sort();
        return measured;
    }

    /// <summary>The same events sealed into cold segments: JSON lines bytes against segment bytes.</summary>
    private IEnumerable<AuditBenchRow> Cold(string dir, AuditBenchEvents generator, DateTimeOffset start)
    {
        var cold = new ColdStore(dir);
        var factory = new AuditEventFactory(new AuditBenchClock(start, Step));
        long jsonBytes = 0, segmentBytes = 0;
        var sealing = TimeSpan.Zero;
        var batch = new List<AuditEvent>(SegmentEvents);
        for (long i = 0; i < events; i += SegmentEvents)
        {
            batch.Clear();
            for (long j = i; j < Math.Min(events, i + SegmentEvents); j++)
            {
                var e = generator.Get(j);
                batch.Add(factory.Create(e.Kind, e.Caller, e.Sandbox, e.Execution, e.Attributes, AuditRisk.None));
            }
            using (var json = new MemoryStream())
            {
                AuditEventJson.WriteLines(json, batch);
                jsonBytes += json.Length;
            }
            long t0 = Stopwatch.GetTimestamp();
            var info = cold.Seal(batch);
            sealing += Stopwatch.GetElapsedTime(t0);
            segmentBytes += new FileInfo(Path.Combine(dir, info.File)).Length;
        }
        double ratio = (double)jsonBytes / segmentBytes;
        yield return new AuditBenchRow($"cold: JSON lines / segment bytes ({cold.Segments.Count} segments)",
            string.Create(CultureInfo.InvariantCulture, $"{ratio:F1}× ({jsonBytes / 1e6:F0} MB → {segmentBytes / 1e6:F1} MB)"), "≥ 8×", ratio >= 8);
        yield return new AuditBenchRow("cold: sealing speed (JSON MB in / s, fsync included)",
            string.Create(CultureInfo.InvariantCulture, $"{jsonBytes / 1e6 / sealing.TotalSeconds:F1} MB/s"), "—", null);
    }

    private static AuditBenchRow Rate(string measure, long n, TimeSpan elapsed, double? target)
    {
        double rate = n / elapsed.TotalSeconds;
        return new AuditBenchRow(measure, string.Create(CultureInfo.InvariantCulture, $"{rate / 1000:F0}k events/s ({elapsed.TotalSeconds:F2} s)"),
            target is { } t ? string.Create(CultureInfo.InvariantCulture, $"≥ {t / 1000:F0}k/s") : "—", target is { } min ? rate >= min : null);
    }

    private static AuditBenchRow Latency(string measure, List<double> sorted)
    {
        double p50 = sorted[sorted.Count / 2], p99 = sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.99))];
        return new AuditBenchRow(measure, string.Create(CultureInfo.InvariantCulture, $"p50 {p50:F2} ms · p99 {p99:F2} ms"), "p99 ≤ 20 ms", p99 <= 20);
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Scale(long n) => n >= 1_000_000 ? $"{n / 1_000_000}M" : $"{n / 1000}k";
}
