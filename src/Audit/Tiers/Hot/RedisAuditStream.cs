using Sandboxd.Audit.Events;
using Sandboxd.Audit.Redis;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>The shared hot tier: one Redis stream that several daemons append to. Each entry holds
/// the event's stored JSON in field "e"; the stream is capped (MAXLEN ~) since warm keeps the record.</summary>
public sealed class RedisAuditStream(IRedisClient redis, string key, int maxLength) : IAuditStream
{
    private const string Field = "e";

    public static RedisAuditStream Open(string url, string key, int maxLength) =>
        new(new RedisClient(RedisEndpoint.Parse(url)), key, maxLength);

    public void Append(IReadOnlyList<AuditEvent> batch)
    {
        if (batch.Count == 0)
            return;
        redis.XAdd(key, maxLength, [.. batch.Select(ev => (IReadOnlyDictionary<string, byte[]>)new Dictionary<string, byte[]>
        {
            [Field] = AuditEventJson.ToUtf8(ev),
        })]);
    }

    public IReadOnlyList<AuditEvent> ReadLatest(int count) => Decode(redis.XRevRange(key, "+", "-", count));

    /// <summary>Entries after <paramref name="afterId"/> ("$" for only new ones), waiting up to
    /// <paramref name="block"/>: the building block of a live tail across daemons.</summary>
    public (IReadOnlyList<AuditEvent> Events, string LastId) ReadAfter(string afterId, int count, TimeSpan block)
    {
        var entries = redis.XRead(key, afterId, count, block);
        return (Decode(entries), entries.Count > 0 ? entries[^1].Id : afterId);
    }

    public void Dispose() => redis.Dispose();

    private static List<AuditEvent> Decode(IReadOnlyList<RedisStreamEntry> entries) =>
        [.. entries.Where(e => e.Fields.ContainsKey(Field)).Select(e => AuditEventJson.Parse(e.Fields[Field]))];
}
