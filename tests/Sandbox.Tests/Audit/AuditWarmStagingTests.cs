using Microsoft.Extensions.Logging.Abstractions;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Audit.Tiers.Warm;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>Warm's two tables on a real SQLite file: rows are queryable from the staging commit on,
/// the merge moves them without loss or duplication however often it runs, and every reader of warm
/// (queries, the migrator, counts) sees staged and merged rows alike.</summary>
public sealed class AuditWarmStagingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Staged_rows_answer_queries_before_the_merge_and_the_same_after_it()
    {
        using var root = new TempRoot();
        using var warm = new WarmStore(Path.Combine(root.Path, "audit.db"));
        var events = Events(new ManualClock(T0), 30);
        Assert.Equal(30, warm.Insert(events));
        Assert.Equal(30, warm.StagedCount());

        var bySandbox = new AuditQuery { Caller = AuditCaller.Operator, SandboxId = "sb-1" };
        var byTime = new AuditQuery { Caller = AuditCaller.Operator, From = T0 + TimeSpan.FromSeconds(10), To = T0 + TimeSpan.FromSeconds(20) };
        var sandboxBefore = Numbers(warm.Query(bySandbox, null, null, 100));
        var timeBefore = Numbers(warm.Query(byTime, null, null, 100));
        Assert.Equal([29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1], sandboxBefore);
        Assert.Equal(Enumerable.Range(10, 10).Reverse().Select(n => (long)n), timeBefore);

        Assert.Equal(30, warm.MergeStaged(1000));
        Assert.Equal(0, warm.StagedCount());
        Assert.Equal(30, warm.Count());
        Assert.Equal(sandboxBefore, Numbers(warm.Query(bySandbox, null, null, 100)));
        Assert.Equal(timeBefore, Numbers(warm.Query(byTime, null, null, 100)));
    }

    [Fact]
    public void A_query_spanning_staged_and_merged_rows_pages_through_both_in_order()
    {
        using var root = new TempRoot();
        using var warm = new WarmStore(Path.Combine(root.Path, "audit.db"));
        var events = Events(new ManualClock(T0), 40);
        warm.Insert(events[..25]);
        warm.MergeStaged(1000);
        warm.Insert(events[25..]); // the newest 15 stay staged
        var seen = new List<long>();
        PageCursor? cursor = null;
        while (warm.Query(new AuditQuery { Caller = AuditCaller.Operator }, null, cursor, 7) is { Count: > 0 } page)
        {
            seen.AddRange(Numbers(page));
            cursor = new PageCursor(page[^1].Time.UtcTicks, page[^1].Id);
        }
        Assert.Equal(Enumerable.Range(0, 40).Reverse().Select(n => (long)n), seen);
    }

    [Fact]
    public void Merging_again_or_staging_an_id_again_changes_nothing()
    {
        using var root = new TempRoot();
        using var warm = new WarmStore(Path.Combine(root.Path, "audit.db"));
        var events = Events(new ManualClock(T0), 20);
        warm.Insert(events[..10]);
        Assert.Equal(10, warm.MergeStaged(4)
            + warm.MergeStaged(4) + warm.MergeStaged(4)); // chunks of 4, 4, 2
        Assert.Equal(0, warm.MergeStaged(4));
        // Ids already merged, already staged, and new ones in one batch: only the new count.
        Assert.Equal(10, warm.Insert(events));
        Assert.Equal(0, warm.Insert(events));
        Assert.Equal(10, warm.MergeStaged(100));
        Assert.Equal(20, warm.Count());
        Assert.Equal(20, warm.Query(new AuditQuery { Caller = AuditCaller.Operator }, null, null, 100).Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void An_event_staged_from_its_stored_form_reads_back_as_the_event_staged_directly()
    {
        using var root = new TempRoot();
        using var warm = new WarmStore(Path.Combine(root.Path, "audit.db"));
        var factory = new AuditEventFactory(new ManualClock(T0));
        var attributes = new Dictionary<string, string> { ["argv"] = "[\"/bin/echo\",\"héllo <\\\"wörld\\\">\"]", ["empty"] = "" };
        var direct = factory.Create(AuditKind.NetworkDenied, new AuditCorrelation("acme", "alice", "req-1", "trace-1"), "sb-1", null,
            attributes, AuditRisk.High);
        var stored = factory.Create(AuditKind.NetworkDenied, new AuditCorrelation("acme", "alice", "req-1", "trace-1"), "sb-1", null,
            attributes, AuditRisk.High);
        var plain = factory.Create(AuditKind.FileCreated, AuditCorrelation.None, null, "ex-1", attributes, AuditRisk.None);
        warm.Insert([direct]);
        Assert.Equal(2, warm.InsertStored([AuditEventJson.ToUtf8(stored), AuditEventJson.ToUtf8(plain)]));
        Assert.Equal(0, warm.InsertStored([AuditEventJson.ToUtf8(direct)]));

        var back = warm.Query(new AuditQuery { Caller = AuditCaller.Operator }, null, null, 10).ToDictionary(e => e.Id);
        foreach (var ev in new[] { direct, stored, plain })
        {
            var read = back[ev.Id];
            Assert.Equal(AuditEventJson.ToUtf8(ev), AuditEventJson.ToUtf8(read));
            Assert.Equal(ev.Attributes, read.Attributes);
        }
        Assert.Single(warm.Query(new AuditQuery { Caller = AuditCaller.Operator, Text = "wörld" }, null, null, 10), e => e.Id == stored.Id);
    }

    [Fact]
    public void The_migrator_seals_staged_rows_too_and_removes_them_from_staging()
    {
        using var root = new TempRoot();
        var clock = new ManualClock(T0);
        using var warm = new WarmStore(Path.Combine(root.Path, "audit.db"));
        var cold = new ColdStore(Path.Combine(root.Path, "cold"));
        var events = Events(clock, 12);
        warm.Insert(events[..5]);
        warm.MergeStaged(100);
        warm.Insert(events[5..]); // 7 still staged
        clock.Advance(TimeSpan.FromDays(8));
        using var migrator = new TierMigrator(warm, cold, clock, TimeSpan.FromDays(7), 4, NullLogger.Instance);
        Assert.Equal(12, migrator.RunOnce());
        Assert.Equal(0, warm.Count());
        Assert.Equal(0, warm.StagedCount());
        var sealedNumbers = cold.Segments.SelectMany(s => cold.Read(s)).Select(AuditTestPipelines.N).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(n => (long)n), sealedNumbers); // oldest first, each once
    }

    internal static List<AuditEvent> Events(ManualClock clock, int count)
    {
        var factory = new AuditEventFactory(clock);
        var events = new List<AuditEvent>();
        for (int n = 0; n < count; n++)
        {
            events.Add(factory.Create(AuditKind.ExecutionStarted, new AuditCorrelation("acme"), "sb-" + (n % 2),
                "ex-" + n, AuditTestPipelines.Numbered(n), AuditRisk.None));
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        return events;
    }

    private static List<long> Numbers(IEnumerable<AuditEvent> events) => [.. events.Select(AuditTestPipelines.N)];
}
