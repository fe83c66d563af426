using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>Sensitive events reach cold when they are emitted, not after retention, and the later
/// migration neither seals them again nor loses them. Time moves on a manual clock.</summary>
public sealed class AuditSensitiveColdTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempRoot _root = new();
    private readonly ManualClock _clock = new(T0);
    private readonly AuditCorrelation _acme = new("acme");

    public void Dispose() => _root.Dispose();

    private AuditPipelineOptions Options => AuditTestPipelines.Options(_root.Path) with
    {
        MigrationInterval = TimeSpan.FromHours(1), ColdSegmentMaxEvents = 100,
    };

    private static AuditQuery All => new() { Caller = AuditCaller.Operator, Limit = 1000 };

    [Fact]
    public async Task A_denial_is_in_cold_after_a_flush_and_migration_later_does_not_seal_it_twice()
    {
        await using var pipeline = new AuditPipeline(Options, _clock);
        for (int n = 1; n <= 10; n++)
        {
            pipeline.Emit(AuditKind.FileCreated, _acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(n));
            if (n % 5 == 0)
                pipeline.Emit(AuditKind.NetworkDenied, _acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(100 + n));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }
        pipeline.Emit(AuditKind.FileModified, _acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(11), AuditRisk.High);
        await pipeline.FlushAsync();

        // No time passed beyond minutes, far inside the 7-day retention: still, the three are in cold.
        var early = pipeline.Cold.Segments.Where(s => s.Sensitive).ToList();
        Assert.Equal(3, early.Sum(s => s.Count));
        Assert.Equal(3, pipeline.Stats.ColdSensitive);
        Assert.Equal(0, pipeline.Migrator.SealedEvents);
        var denials = pipeline.Query(All with { Kinds = [AuditKind.NetworkDenied] });
        Assert.Equal([110L, 105L], denials.Events.Select(AuditTestPipelines.N));
        Assert.Equal(AuditTiers.Hot | AuditTiers.Warm | AuditTiers.Cold, denials.Tiers);

        _clock.Advance(TimeSpan.FromDays(8)); // the migrator's timer fires inside
        var migrated = Assert.Single(pipeline.Cold.Segments, s => !s.Sensitive);
        Assert.Equal(10, migrated.Count); // the file events only
        Assert.Equal(10, pipeline.Migrator.SealedEvents);
        Assert.Equal(0, pipeline.Warm.Count());

        var everything = pipeline.Query(All);
        Assert.Equal(13, everything.Events.Count);
        Assert.Equal(13, everything.Events.Select(e => e.Id).Distinct().Count());
        var verdict = pipeline.Cold.Verify();
        Assert.True(verdict.Ok, verdict.Reason);
        Assert.Equal(pipeline.Cold.Segments[^1].Number, verdict.Head);
    }

    [Fact]
    public async Task After_a_restart_the_migrator_does_not_mistake_a_sensitive_segment_for_its_own()
    {
        await using (var first = new AuditPipeline(Options, _clock))
        {
            first.Emit(AuditKind.GovernanceProposed, _acme, null, null, AuditTestPipelines.Numbered(1));
            await first.FlushAsync();
        }
        await using var second = new AuditPipeline(Options, _clock);
        Assert.Equal(0, second.Migrator.RunOnce());
        // The newest segment is the sensitive one; warm keeps its copy until retention.
        Assert.Equal(1, second.Warm.Count());
        Assert.Equal(AuditTiers.Warm | AuditTiers.Cold, second.Query(All).Tiers);
    }

    [Fact]
    public async Task Sensitive_events_a_crash_left_in_the_journal_are_sealed_into_cold_on_start_once()
    {
        var factory = new AuditEventFactory(_clock);
        var denial = factory.Create(AuditKind.SyscallDenied, _acme, "sb", null, AuditTestPipelines.Numbered(1), AuditRisk.None);
        var ordinary = factory.Create(AuditKind.FileCreated, _acme, "sb", null, AuditTestPipelines.Numbered(2), AuditRisk.None);
        // What a process killed after the journal's fsync, before warm and cold, leaves behind.
        using (var journal = new SpillJournal(Options.JournalDirectory))
            journal.Append([denial, ordinary]);

        await using (var first = new AuditPipeline(Options, _clock))
        {
            var sealedAtStart = Assert.Single(first.Cold.Segments);
            Assert.True(sealedAtStart.Sensitive);
            Assert.Equal([denial.Id], first.Cold.Read(sealedAtStart).Select(e => e.Id));
            Assert.Equal(2, first.Warm.Count());
        }
        // The same journal once more (a crash before warm took it): already in cold, not sealed again.
        using (var journal = new SpillJournal(Options.JournalDirectory))
            journal.Append([denial]);
        await using var second = new AuditPipeline(Options, _clock);
        Assert.Single(second.Cold.Segments);
    }

    [Fact]
    public async Task A_damaged_sensitive_segment_does_not_stall_migration_and_its_events_are_sealed_again()
    {
        await using var pipeline = new AuditPipeline(Options, _clock);
        pipeline.Emit(AuditKind.GovernanceVoted, _acme, null, null, AuditTestPipelines.Numbered(1));
        pipeline.Emit(AuditKind.FileCreated, _acme, "sb", null, AuditTestPipelines.Numbered(2));
        await pipeline.FlushAsync();
        var damaged = Assert.Single(pipeline.Cold.Segments);
        File.WriteAllBytes(Path.Combine(Options.ColdDirectory, damaged.File), [1, 2, 3]);

        _clock.Advance(TimeSpan.FromDays(8));
        var migrated = Assert.Single(pipeline.Cold.Segments, s => !s.Sensitive);
        Assert.Equal(2, migrated.Count);
        Assert.Equal(0, pipeline.Warm.Count());
        Assert.Equal(damaged.Number, pipeline.Cold.Verify().BadSegment);
    }

    [Fact]
    public void An_event_in_two_segments_is_returned_once()
    {
        // What a crash between a sensitive seal and the migrator's check could leave behind.
        var cold = new ColdStore(Path.Combine(_root.Path, "cold"));
        var factory = new AuditEventFactory(_clock);
        var events = Enumerable.Range(1, 3)
            .Select(n => factory.Create(AuditKind.SyscallDenied, _acme, "sb", null, AuditTestPipelines.Numbered(n), AuditRisk.None)).ToList();
        cold.Seal(events, sensitive: true);
        cold.Seal(events);
        var found = cold.Query(All, null, null, 2);
        Assert.Equal([3L, 2L], found.Select(AuditTestPipelines.N));
        Assert.Equal(3, cold.Query(All, null, null, 10).Count);
    }
}
