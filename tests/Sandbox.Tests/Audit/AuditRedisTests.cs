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
    private readonly RedisServerProcess _redis;

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
}
