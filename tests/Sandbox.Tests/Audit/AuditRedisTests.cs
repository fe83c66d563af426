using System.Text;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Tiers.Hot;
using Sandboxd.Tests.Support;
using StackExchange.Redis;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>The shared hot stream (StackExchange.Redis) and the live tail across daemons, against a
/// real redis-server, including one killed and restarted under a tail.</summary>
public sealed class AuditRedisTests : IDisposable
{
    private readonly TempRoot _root = new();
    private RedisServerProcess _redis;

    public AuditRedisTests() => _redis = new RedisServerProcess(_root.Path);

    public void Dispose()
    {
        _redis.Dispose();
        _root.Dispose();
    }

    [Fact]
    public void The_stream_keeps_events_as_they_were_newest_last_and_capped()
    {
        var factory = new AuditEventFactory(TimeProvider.System);
        var events = Enumerable.Range(1, 300)
            .Select(n => factory.Create(AuditKind.ExecutionStarted, new AuditCorrelation("acme"), "sb", "ex",
                AuditTestPipelines.Numbered(n, "argv", "x\r\ny \u00e9"), AuditRisk.None))
            .ToList();
        using var stream = RedisAuditStream.Open(_redis.Url, "capped", maxLength: 10);
        for (int i = 0; i < events.Count; i += 100)
            stream.Append(events.GetRange(i, 100));

        var newest = Assert.Single(stream.ReadLatest(1));
        Assert.Equal(events[^1].Id, newest.Id);
        Assert.Equal("x\r\ny \u00e9", newest.Attributes["argv"]);
        var (kept, lastId) = stream.ReadAfter("0", 1000);
        Assert.Equal(events[^kept.Count..].Select(e => e.Id), kept.Select(e => e.Id)); // the newest, oldest first
        // MAXLEN ~ trims whole stream nodes (100 entries each by default), so the cap is approximate.
        Assert.InRange(kept.Count, 10, 110);
        Assert.Empty(stream.ReadAfter(lastId, 10).Events);
    }

    [Fact]
    public async Task A_key_redis_refuses_costs_the_stream_copies_and_nothing_else()
    {
        using (var other = ConnectionMultiplexer.Connect(RedisUrl.ToOptions(_redis.Url)))
            other.GetDatabase().StringSet("not-a-stream", "x");
        using (var stream = RedisAuditStream.Open(_redis.Url, "not-a-stream", 100))
        {
            var ev = new AuditEventFactory(TimeProvider.System).Create(AuditKind.SandboxCreated, AuditCorrelation.None, "sb", null, null, AuditRisk.None);
            Assert.Throws<AuditStreamException>(() => stream.Append([ev])); // WRONGTYPE, as the writer's IOException
            Assert.Throws<AuditStreamException>(() => stream.ReadLatest(1));
        }

        await using var pipeline = new AuditPipeline(
            AuditTestPipelines.Options(Path.Combine(_root.Path, "p")) with { RedisUrl = _redis.Url, RedisStreamKey = "not-a-stream" },
            TimeProvider.System);
        pipeline.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb", null, AuditTestPipelines.Numbered(1));
        await pipeline.FlushAsync(); // the writer keeps going: warm has the event
        await Until(() => pipeline.Stats.HotStreamErrors >= 1);
        Assert.Equal(1, pipeline.Stats.WarmRows);
    }

    [Fact]
    public async Task Two_pipelines_share_one_stream_and_each_sees_the_others_events()
    {
        var a = new AuditPipeline(AuditTestPipelines.Options(Path.Combine(_root.Path, "a")) with { RedisUrl = _redis.Url }, TimeProvider.System);
        var b = new AuditPipeline(AuditTestPipelines.Options(Path.Combine(_root.Path, "b")) with { RedisUrl = _redis.Url }, TimeProvider.System);
        await using (a)
        await using (b)
        {
            for (int n = 1; n <= 30; n++)
            {
                a.Emit(AuditKind.ExecutionStarted, new AuditCorrelation("acme"), "sb-a", "ex-a", AuditTestPipelines.Numbered(n));
                b.Emit(AuditKind.ExecutionStarted, new AuditCorrelation("acme"), "sb-b", "ex-b", AuditTestPipelines.Numbered(100 + n));
            }
            await a.FlushAsync();
            await b.FlushAsync();
            // Flush covers durability (warm); the stream is published right after each commit.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (a.Stream!.ReadLatest(1000).Count < 60 && DateTime.UtcNow < deadline)
                await Task.Delay(10);

            var fromA = a.Query(new AuditQuery { Caller = AuditCaller.ForTenant("acme"), SandboxId = "sb-b" });
            Assert.Equal(30, fromA.Events.Count);
            Assert.Equal(AuditTiers.Hot, fromA.Tiers); // only the shared stream has b's events
            var fromB = b.Query(new AuditQuery { Caller = AuditCaller.Operator, ExecutionId = "ex-a" });
            Assert.Equal(Enumerable.Range(1, 30).Reverse().Select(n => (long)n), fromB.Events.Select(AuditTestPipelines.N));

            var stream = (RedisAuditStream)a.Stream;
            var (events, _) = stream.ReadAfter("0", 100);
            Assert.Equal(60, events.Select(e => e.Id).Distinct().Count());
            Assert.Equal(0, a.Stats.HotStreamErrors + b.Stats.HotStreamErrors);
        }
    }

    private AuditPipeline Daemon(string name) =>
        new(AuditTestPipelines.Options(Path.Combine(_root.Path, name)) with { RedisUrl = _redis.Url }, TimeProvider.System);

    /// <summary>Reads the tail until <paramref name="count"/> events arrived; a deadline, not a sleep.</summary>
    private static async Task<List<AuditEvent>> Take(HotTailSubscription tail, int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var events = new List<AuditEvent>();
        while (events.Count < count)
            events.Add(await tail.Events.ReadAsync(deadline.Token));
        return events;
    }

    [Fact]
    public async Task A_live_tail_on_one_daemon_shows_every_daemons_events_once()
    {
        await using var a = Daemon("a");
        await using var b = Daemon("b");
        using var tail = a.SubscribeTail(_ => true);
        for (int n = 1; n <= 10; n++)
        {
            b.Emit(AuditKind.ExecutionStarted, new AuditCorrelation("acme"), "sb-b", null, AuditTestPipelines.Numbered(100 + n));
            a.Emit(AuditKind.ExecutionStarted, new AuditCorrelation("acme"), "sb-a", null, AuditTestPipelines.Numbered(n));
        }
        var seen = await Take(tail, 20);
        Assert.Equal(Enumerable.Range(1, 10).Concat(Enumerable.Range(101, 10)).Select(n => (long)n), seen.Select(AuditTestPipelines.N).Order());
        Assert.Equal(Enumerable.Range(1, 10).Select(n => (long)n), seen.Where(e => e.SandboxId == "sb-a").Select(AuditTestPipelines.N));

        // a's own events reach the stream after its warm commit; once they are there, a marker from
        // b is the next thing the tail shows: the stream copies of a's events were not shown again.
        await a.FlushAsync();
        await WaitForStream(a, 20);
        b.Emit(AuditKind.ExecutionFinished, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(999));
        var next = Assert.Single(await Take(tail, 1));
        Assert.Equal(999, AuditTestPipelines.N(next));
        Assert.Equal(0, tail.Events.Count);
    }

    [Fact]
    public async Task With_redis_down_the_tail_keeps_showing_local_events_and_picks_the_stream_up_again()
    {
        await using var a = Daemon("a");
        await using var b = Daemon("b");
        using var tail = a.SubscribeTail(ev => ev.SandboxId is "sb-a" or "sb-b");
        b.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(1));
        Assert.Equal(1, AuditTestPipelines.N(Assert.Single(await Take(tail, 1))));

        _redis.Dispose();
        a.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb-a", null, AuditTestPipelines.Numbered(2));
        Assert.Equal(2, AuditTestPipelines.N(Assert.Single(await Take(tail, 1))));
        await a.FlushAsync(); // warm does not depend on Redis
        // While the server is gone b's appends fail at once (counted; warm has the events).
        b.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb-unwatched", null, AuditTestPipelines.Numbered(0));
        await Until(() => b.Stats.HotStreamErrors >= 1);

        _redis = new RedisServerProcess(_root.Path); // same socket, empty stream
        await UntilReachable(b); // the client reconnects in the background, not on the next command
        b.Emit(AuditKind.SandboxDestroyed, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(3));
        await b.FlushAsync();
        var after = await Take(tail, 1);
        Assert.Equal(3, AuditTestPipelines.N(Assert.Single(after)));
        Assert.True(a.Stats.HotStreamErrors >= 1);
    }

    [Fact]
    public async Task A_tail_across_a_kill_and_restart_of_a_persistent_redis_shows_each_later_event_once()
    {
        _redis.Dispose();
        _redis = new RedisServerProcess(_root.Path, persistent: true);
        await using var a = Daemon("a");
        await using var b = Daemon("b");
        using var tail = a.SubscribeTail(ev => ev.SandboxId == "sb-b");
        for (int n = 1; n <= 5; n++)
            b.Emit(AuditKind.ExecutionStarted, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(n));
        Assert.Equal([1, 2, 3, 4, 5], (await Take(tail, 5)).Select(AuditTestPipelines.N));

        _redis.Dispose(); // SIGKILL, mid-tail: neither daemon stops, both notice
        b.Emit(AuditKind.ExecutionStarted, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(6));
        await b.FlushAsync();
        await Until(() => b.Stats.HotStreamErrors >= 1 && a.Stats.HotTailOutages >= 1);

        _redis = new RedisServerProcess(_root.Path, persistent: true); // same dir: the append-only file brings 1..5 back
        await UntilReachable(b);
        // Emitted before a's tail has read again: its position survived the outage, so it finds these.
        for (int n = 7; n <= 10; n++)
            b.Emit(AuditKind.ExecutionStarted, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(n));
        Assert.Equal([7, 8, 9, 10], (await Take(tail, 4)).Select(AuditTestPipelines.N));
        Assert.Equal([1, 2, 3, 4, 5, 7, 8, 9, 10], a.Stream!.ReadLatest(100).Select(AuditTestPipelines.N).Order());
        b.Emit(AuditKind.ExecutionFinished, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(11));
        Assert.Equal(11, AuditTestPipelines.N(Assert.Single(await Take(tail, 1)))); // nothing from before came again
        Assert.Equal(0, tail.Events.Count);

        // 6 never reached the stream (the design: warm keeps what the hot stream refused, nothing retries it).
        var fromB = b.Query(new AuditQuery { Caller = AuditCaller.Operator, SandboxId = "sb-b" });
        Assert.Contains(6, fromB.Events.Select(AuditTestPipelines.N));
    }

    [Fact]
    public async Task A_cursor_keeps_its_position_across_a_kill_and_restart_and_reads_what_was_appended_meanwhile()
    {
        _redis.Dispose();
        _redis = new RedisServerProcess(_root.Path, persistent: true);
        var factory = new AuditEventFactory(TimeProvider.System);
        List<AuditEvent> Events(int from, int to) => [.. Enumerable.Range(from, to - from + 1).Select(n =>
            factory.Create(AuditKind.ExecutionStarted, AuditCorrelation.None, "sb", null, AuditTestPipelines.Numbered(n), AuditRisk.None))];
        using var writer = RedisAuditStream.Open(_redis.Url, "k", 1000);
        using var reader = RedisAuditStream.Open(_redis.Url, "k", 1000);
        var cursor = reader.OpenCursor();
        cursor.SeekToEnd();
        writer.Append(Events(1, 5));
        Assert.Equal([1, 2, 3, 4, 5], cursor.Next(100).Select(AuditTestPipelines.N));

        _redis.Dispose();
        Assert.ThrowsAny<IOException>(() => cursor.Next(100));
        _redis = new RedisServerProcess(_root.Path, persistent: true);
        await UntilReachable(writer);
        writer.Append(Events(6, 9)); // before the cursor has read again
        await UntilReachable(reader);
        Assert.Equal([6, 7, 8, 9], cursor.Next(100).Select(AuditTestPipelines.N)); // not 1..5 again, and not only what comes next
        Assert.Empty(cursor.Next(100));
    }

    [Fact]
    public async Task A_daemon_started_while_redis_is_down_runs_on_its_own_tiers_and_joins_the_stream_later()
    {
        _redis.Dispose();
        await using var a = Daemon("a");
        await using var b = Daemon("b");
        using var tail = a.SubscribeTail(ev => ev.SandboxId is "sb-a" or "sb-b");
        a.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb-a", null, AuditTestPipelines.Numbered(1));
        Assert.Equal(1, AuditTestPipelines.N(Assert.Single(await Take(tail, 1))));
        await a.FlushAsync();
        await Until(() => a.Stats.HotStreamErrors >= 1 && a.Stats.HotTailOutages >= 1);

        _redis = new RedisServerProcess(_root.Path);
        await UntilReachable(b);
        // A tail begun during the outage starts where the stream ends once its reads get through;
        // b emits until one shows, and from there on every one of b's events does, in order.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        long emitted = 100;
        long? first = null;
        while (first is null)
        {
            b.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(++emitted));
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            poll.CancelAfter(TimeSpan.FromMilliseconds(200));
            try
            {
                first = AuditTestPipelines.N(await tail.Events.ReadAsync(poll.Token));
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // Not yet: the next marker.
            }
        }
        for (int i = 0; i < 3; i++)
            b.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(++emitted));
        var rest = await Take(tail, (int)(emitted - first.Value));
        Assert.Equal(LongRange(first.Value + 1, emitted), rest.Select(AuditTestPipelines.N));
    }

    [Fact]
    public async Task Without_redis_the_tail_is_the_local_ring()
    {
        await using var local = new AuditPipeline(AuditTestPipelines.Options(Path.Combine(_root.Path, "local")), TimeProvider.System);
        using var tail = local.SubscribeTail(ev => ev.Kind == AuditKind.NetworkDenied);
        local.Emit(AuditKind.NetworkAllowed, AuditCorrelation.None, "sb", null, AuditTestPipelines.Numbered(1));
        local.Emit(AuditKind.NetworkDenied, AuditCorrelation.None, "sb", null, AuditTestPipelines.Numbered(2));
        Assert.Equal(2, AuditTestPipelines.N(Assert.Single(await Take(tail, 1))));
        Assert.Null(local.Stream);
    }

    private static IEnumerable<long> LongRange(long from, long to)
    {
        for (long n = from; n <= to; n++)
            yield return n;
    }

    /// <summary>Until the pipeline's client has reconnected: the stream answers a read.</summary>
    private static Task UntilReachable(AuditPipeline pipeline) => UntilReachable(pipeline.Stream!);

    private static Task UntilReachable(IAuditStream stream) => Until(() =>
    {
        try
        {
            stream.ReadLatest(1);
            return true;
        }
        catch (AuditStreamException)
        {
            return false;
        }
    });

    private static Task WaitForStream(AuditPipeline pipeline, int atLeast) =>
        Until(() => pipeline.Stream!.ReadLatest(1000).Count >= atLeast);

    /// <summary>Polls what a background writer does after the flush returned (the stream append follows the warm commit).</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.True(condition(), "the background writer never got there");
    }
}
