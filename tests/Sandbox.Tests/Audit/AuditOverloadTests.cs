using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

public sealed class AuditOverloadTests
{
    [Fact]
    public async Task Producers_far_faster_than_the_writer_lose_nothing_and_the_spill_is_counted()
    {
        using var root = new TempRoot();
        const int producers = 4, perProducer = 25_000;
        // A tiny channel: SQLite cannot keep up with four tight loops, so most of the load must spill.
        var options = AuditTestPipelines.Options(root.Path) with { ChannelCapacity = 64, MaxBatch = 1024 };
        var pipeline = new AuditPipeline(options, TimeProvider.System);
        await using (pipeline)
        {
            var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
            {
                for (int i = 0; i < perProducer; i++)
                    pipeline.Emit(AuditKind.SyscallExec, new AuditCorrelation("t"), "sb-" + p, "ex",
                        AuditTestPipelines.Numbered(p * perProducer + i));
            })).ToArray();
            await Task.WhenAll(tasks);
            await pipeline.FlushAsync();
            Assert.Equal(producers * perProducer, pipeline.Stats.Emitted);
            Assert.True(pipeline.Stats.Spilled > 0, "nothing spilled: the writer was not overloaded");
        }

        Assert.Equal(producers * perProducer, pipeline.Stats.WarmRows);
        using var warm = new Sandboxd.Audit.Tiers.Warm.WarmStore(options.WarmPath);
        Assert.Equal(producers * perProducer, warm.Count());
        Assert.Empty(Directory.GetFiles(options.JournalDirectory));
    }

    [Fact]
    public async Task Sensitive_events_are_written_through_the_journal_and_land_in_warm_once()
    {
        using var root = new TempRoot();
        var pipeline = new AuditPipeline(AuditTestPipelines.Options(root.Path), TimeProvider.System);
        await using (pipeline)
        {
            pipeline.Emit(AuditKind.NetworkDenied, new AuditCorrelation("t"), "sb", "ex", AuditTestPipelines.Numbered(1));
            pipeline.Emit(AuditKind.GovernanceVoted, new AuditCorrelation("t", "bob"), "sb", null, AuditTestPipelines.Numbered(2));
            pipeline.Emit(AuditKind.FileCreated, new AuditCorrelation("t"), "sb", "ex", AuditTestPipelines.Numbered(3));
            await pipeline.FlushAsync();
            Assert.Equal(2, pipeline.Stats.Sensitive);
            Assert.Equal(2, pipeline.Stats.Journaled);
            Assert.Equal(0, pipeline.Stats.Spilled);
        }
        Assert.Equal(3, pipeline.Stats.WarmRows);
    }
}
