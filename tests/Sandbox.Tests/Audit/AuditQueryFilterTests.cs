using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>One execution's events among noise, found by each filter — through warm's SQL and
/// through the in-memory matcher the other tiers use, which must agree.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes through IAsyncLifetime")]
public sealed class AuditQueryFilterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private readonly TempRoot _root = new();
    private readonly ManualClock _clock = new(T0);
    private AuditPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        _pipeline = new AuditPipeline(AuditTestPipelines.Options(_root.Path), _clock);
        var acme = new AuditCorrelation("acme", "alice", "req-1", "tool-call-7");
        var other = new AuditCorrelation("globex", "bob", "req-2", "tool-call-8");
        for (int i = 0; i < 20; i++)
        {
            _pipeline.Emit(AuditKind.SyscallExec, other, "sb-noise", "ex-noise", AuditTestPipelines.Numbered(100 + i, "argv", "/bin/ls"));
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        _pipeline.Emit(AuditKind.ExecutionStarted, acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(1, "argv", "python3 train.py"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        _pipeline.Emit(AuditKind.NetworkDenied, acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(2, "dest", "203.0.113.9:443"), AuditRisk.High);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _pipeline.Emit(AuditKind.ExecutionFinished, acme, "sb-1", "ex-1", AuditTestPipelines.Numbered(3, "exit", "0"));
        await _pipeline.FlushAsync();
    }

    public async Task DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        _root.Dispose();
    }

    public static TheoryData<string> Filters => ["sandbox", "execution", "tenant", "kinds", "risk", "time", "text", "trace"];

    [Theory]
    [MemberData(nameof(Filters))]
    public void Each_filter_finds_the_execution_in_warm_and_in_memory(string filter)
    {
        var q = new AuditQuery { Caller = AuditCaller.Operator };
        (q, long[] expected) = filter switch
        {
            "sandbox" => (q with { SandboxId = "sb-1" }, new long[] { 3, 2, 1 }),
            "execution" => (q with { ExecutionId = "ex-1" }, [3, 2, 1]),
            "tenant" => (q with { Tenant = "acme" }, [3, 2, 1]),
            "kinds" => (q with { Kinds = [AuditKind.ExecutionStarted, AuditKind.ExecutionFinished] }, [3, 1]),
            "risk" => (q with { MinRisk = AuditRisk.Medium }, [2]),
            "time" => (q with { From = T0 + TimeSpan.FromSeconds(20), To = T0 + TimeSpan.FromSeconds(22) }, [2, 1]),
            "text" => (q with { Text = "train.py" }, [1]),
            _ => (q with { Tenant = "acme", ExecutionId = "ex-1", Text = "203.0.113" }, [2]),
        };
        var warm = _pipeline.Warm.Query(q, q.Tenant, null, 100);
        Assert.Equal(expected, warm.Select(AuditTestPipelines.N));
        var memory = _pipeline.Hot.Snapshot().Where(ev => AuditQueryMatcher.Matches(q, q.Tenant, null, ev))
            .OrderByDescending(ev => ev.Time).Select(AuditTestPipelines.N);
        Assert.Equal(expected, memory);
        var all = _pipeline.Query(q);
        Assert.Equal(expected, all.Events.Select(AuditTestPipelines.N));
        // The denial is sensitive, so it was sealed into cold at once as well.
        Assert.Equal(expected.Contains(2) ? AuditTiers.Hot | AuditTiers.Warm | AuditTiers.Cold : AuditTiers.Hot | AuditTiers.Warm, all.Tiers);
    }

    [Fact]
    public void Events_carry_their_correlation()
    {
        var ev = Assert.Single(_pipeline.Query(new AuditQuery { Caller = AuditCaller.Operator, Kinds = [AuditKind.NetworkDenied] }).Events);
        Assert.Equal(("acme", "alice", "req-1", "tool-call-7"), (ev.Tenant, ev.Principal, ev.RequestId, ev.TraceId));
        Assert.Equal(AuditRisk.High, ev.Risk);
    }

    [Fact]
    public void A_tenant_sees_only_its_own_events()
    {
        var mine = _pipeline.Query(new AuditQuery { Caller = AuditCaller.ForTenant("acme") });
        Assert.Equal(3, mine.Events.Count);
        Assert.All(mine.Events, ev => Assert.Equal("acme", ev.Tenant));
        var theirs = _pipeline.Query(new AuditQuery { Caller = AuditCaller.ForTenant("acme"), Tenant = "globex" });
        Assert.Empty(theirs.Events);
        Assert.Empty(_pipeline.Query(new AuditQuery { Caller = AuditCaller.ForTenant("acme"), SandboxId = "sb-noise" }).Events);
    }

    [Fact]
    public void Pages_walk_every_event_once_newest_first()
    {
        var seen = new List<long>();
        string? token = null;
        do
        {
            var page = _pipeline.Query(new AuditQuery { Caller = AuditCaller.Operator, Limit = 7, PageToken = token });
            seen.AddRange(page.Events.Select(AuditTestPipelines.N));
            token = page.NextPageToken;
        }
        while (token is not null);
        Assert.Equal(23, seen.Count);
        Assert.Equal(new long[] { 3, 2, 1 }, seen.Take(3));
        Assert.Equal(23, seen.Distinct().Count());
    }
}
