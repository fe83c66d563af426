using System.Text;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Tiers.Warm;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>The pipeline's warm merger and journal replay against warm's staging table, on real files.</summary>
public sealed class AuditWarmMergeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_merger_indexes_what_the_writer_staged_on_its_own()
    {
        using var root = new TempRoot();
        await using var pipeline = new AuditPipeline(AuditTestPipelines.Options(root.Path), TimeProvider.System);
        for (int n = 0; n < 500; n++)
            pipeline.Emit(AuditKind.ExecutionStarted, new AuditCorrelation("acme"), "sb-1", "ex-1", AuditTestPipelines.Numbered(n));
        await pipeline.FlushAsync();
        using var timeout = new CancellationTokenSource(Patience);
        while (pipeline.Stats.WarmMerged < 500)
            await Task.Delay(10, timeout.Token);
        Assert.Equal(500, pipeline.Stats.WarmRows);
        Assert.Equal(0, pipeline.Warm.StagedCount());
        Assert.Equal(500, pipeline.Warm.Count());
    }

    [Fact]
    public async Task Replaying_a_journal_whose_events_are_partly_staged_or_merged_adds_each_id_once()
    {
        using var root = new TempRoot();
        var options = AuditTestPipelines.Options(root.Path);
        var events = AuditWarmStagingTests.Events(new ManualClock(T0), 30);
        using (var warm = new WarmStore(options.WarmPath))
        {
            // As a crash can leave it: the first ten merged, the next ten staged, the last ten only journaled.
            warm.Insert(events[..10]);
            warm.MergeStaged(100);
            warm.Insert(events[10..20]);
        }
        using (var journal = new SpillJournal(options.JournalDirectory))
            journal.Append(events);
        // And a batch whose fsync never returned: its last line is torn.
        string file = Directory.GetFiles(options.JournalDirectory).Single();
        await File.AppendAllTextAsync(file, "{\"v\":1,\"id\":\"torn-1\",\"se", Encoding.UTF8);

        await using var pipeline = new AuditPipeline(options, TimeProvider.System);
        Assert.Equal(30, pipeline.Stats.Replayed);
        Assert.Equal(10, pipeline.Stats.WarmRows);
        Assert.Equal(30, pipeline.Warm.Count());
        Assert.Empty(Directory.GetFiles(options.JournalDirectory));
        var all = pipeline.Warm.Query(new AuditQuery { Caller = AuditCaller.Operator }, null, null, 100);
        Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(n => (long)n), all.Select(AuditTestPipelines.N));
    }

    [Fact]
    public async Task A_full_staging_table_holds_the_writer_back_and_the_overflow_spills_without_loss()
    {
        using var root = new TempRoot();
        const int producers = 4, perProducer = 5_000;
        // Staging holds 300 rows and the merger takes 100 at a time: the writer keeps waiting for room.
        var options = AuditTestPipelines.Options(root.Path) with { ChannelCapacity = 64, MaxBatch = 256, MaxStaged = 300, MergeChunk = 100 };
        var pipeline = new AuditPipeline(options, TimeProvider.System);
        await using (pipeline)
        {
            await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
            {
                for (int i = 0; i < perProducer; i++)
                    pipeline.Emit(AuditKind.SyscallExec, new AuditCorrelation("t"), "sb-" + p, "ex", AuditTestPipelines.Numbered(p * perProducer + i));
            })));
            await pipeline.FlushAsync().WaitAsync(Patience);
            Assert.True(pipeline.Stats.Spilled > 0, "nothing spilled: the writer was never held back");
        }
        Assert.Equal(producers * perProducer, pipeline.Stats.WarmRows);
        using var warm = new WarmStore(options.WarmPath);
        Assert.Equal(producers * perProducer, warm.Count());
    }

    [Fact]
    public void Options_that_would_stop_staging_or_merging_are_refused_by_name()
    {
        using var root = new TempRoot();
        var staged = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AuditPipeline(AuditTestPipelines.Options(root.Path) with { MaxStaged = 0 }, TimeProvider.System));
        Assert.Contains("MaxStaged", staged.ParamName, StringComparison.Ordinal);
        var chunk = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new AuditPipeline(AuditTestPipelines.Options(root.Path) with { MergeChunk = -1 }, TimeProvider.System));
        Assert.Contains("MergeChunk", chunk.ParamName, StringComparison.Ordinal);
    }
}
