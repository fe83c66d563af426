using System.Text;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Redis;
using Sandboxd.Audit.Tiers.Hot;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>The RESP2 client and the shared hot stream, against a real redis-server.</summary>
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
    public void The_client_round_trips_stream_commands_and_publish()
    {
        using var client = new RedisClient(RedisEndpoint.Parse(_redis.Url));
        var ids = client.XAdd("s", 1000, [
            new Dictionary<string, byte[]> { ["a"] = "1"u8.ToArray() },
            new Dictionary<string, byte[]> { ["a"] = "2"u8.ToArray(), ["b"] = "x\r\ny"u8.ToArray() },
        ]);
        Assert.Equal(2, ids.Count);
        var all = client.XRange("s", "-", "+", 10);
        Assert.Equal(ids, all.Select(e => e.Id));
        Assert.Equal("x\r\ny", Encoding.UTF8.GetString(all[1].Fields["b"]));
        Assert.Equal(ids[1], client.XRevRange("s", "+", "-", 1).Single().Id);
        Assert.Equal(ids[1], client.XRead("s", ids[0], 10).Single().Id);
        Assert.Empty(client.XRead("s", ids[1], 10, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(0, client.Publish("nobody-listens", "hi"u8.ToArray()));
        Assert.Throws<RedisServerException>(() => client.XRange("s", "not-an-id", "+", 1));
        Assert.Single(client.XRange("s", "-", "+", 1)); // still in step after an error reply
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
            var (events, _) = stream.ReadAfter("0", 100, TimeSpan.Zero);
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
        // b notices the outage on its next append (its connection is dropped then, and reopened later).
        b.Emit(AuditKind.SandboxCreated, AuditCorrelation.None, "sb-unwatched", null, AuditTestPipelines.Numbered(0));
        await Until(() => b.Stats.HotStreamErrors >= 1);

        _redis = new RedisServerProcess(_root.Path); // same socket, empty stream
        b.Emit(AuditKind.SandboxDestroyed, AuditCorrelation.None, "sb-b", null, AuditTestPipelines.Numbered(3));
        await b.FlushAsync();
        var after = await Take(tail, 1);
        Assert.Equal(3, AuditTestPipelines.N(Assert.Single(after)));
        Assert.True(a.Stats.HotStreamErrors >= 1);
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
