using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

public sealed class AuditTierMigrationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_migrator_seals_old_warm_events_on_its_own_and_a_query_spans_all_three_tiers()
    {
        using var root = new TempRoot();
        var clock = new ManualClock(T0);
        // A ring of 4 so that only the newest events are still hot; migration every hour of fake time.
        var options = AuditTestPipelines.Options(root.Path) with
        {
            HotCapacity = 4, MigrationInterval = TimeSpan.FromHours(1), ColdSegmentMaxEvents = 5,
        };
        await using var pipeline = new AuditPipeline(options, clock);
        var acme = new AuditCorrelation("acme");
        for (int n = 1; n <= 12; n++)
        {
            pipeline.Emit(AuditKind.FileCreated, acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(n));
            clock.Advance(TimeSpan.FromMinutes(1));
        }
        await pipeline.FlushAsync();

        // Eight days on: the timer fires inside Advance, and the twelve events pass the 7-day retention.
        clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(12, pipeline.Migrator.SealedEvents);
        Assert.Equal(3, pipeline.Cold.Segments.Count); // 5 + 5 + 2
        Assert.Equal(0, pipeline.Warm.Count());

        for (int n = 13; n <= 20; n++)
        {
            pipeline.Emit(AuditKind.FileModified, acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(n));
            clock.Advance(TimeSpan.FromMinutes(1));
        }
        await pipeline.FlushAsync();

        var result = pipeline.Query(new AuditQuery { Caller = AuditCaller.ForTenant("acme"), ExecutionId = "ex-1", Limit = 100 });
        Assert.Equal(Enumerable.Range(1, 20).Reverse().Select(n => (long)n), result.Events.Select(AuditTestPipelines.N));
        Assert.Equal(AuditTiers.Hot | AuditTiers.Warm | AuditTiers.Cold, result.Tiers);

        var old = pipeline.Query(new AuditQuery { Caller = AuditCaller.Operator, To = T0 + TimeSpan.FromDays(1) });
        Assert.Equal(AuditTiers.Cold, old.Tiers);
        Assert.Equal(12, old.Events.Count);
        Assert.True(pipeline.Cold.Verify().Ok);
    }

    [Fact]
    public void A_crash_between_sealing_and_deleting_does_not_seal_twice()
    {
        using var root = new TempRoot();
        var clock = new ManualClock(T0);
        var options = AuditTestPipelines.Options(root.Path);
        var warm = new Sandboxd.Audit.Tiers.Warm.WarmStore(options.WarmPath);
        var cold = new Sandboxd.Audit.Tiers.Cold.ColdStore(options.ColdDirectory);
        var factory = new AuditEventFactory(clock);
        var events = Enumerable.Range(1, 3)
            .Select(n => factory.Create(AuditKind.FileDeleted, AuditCorrelation.None, "sb", null, AuditTestPipelines.Numbered(n), AuditRisk.None))
            .ToList();
        warm.Insert(events);
        cold.Seal(events); // sealed, then "crashed" before the warm delete
        clock.Advance(TimeSpan.FromDays(8));
        using var migrator = new TierMigrator(warm, cold, clock, TimeSpan.FromDays(7), 100,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Equal(0, migrator.RunOnce());
        Assert.Single(cold.Segments);
        Assert.Equal(0, warm.Count());
        warm.Dispose();
    }
}
