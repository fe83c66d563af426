using System.Security.Cryptography;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Redis;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>The shared hot tier: one Redis stream that several daemons append to. Each entry holds
/// the event's stored JSON in field "e" and the appending daemon's origin in "o" (so a daemon's
/// live tails can skip what they already had from its ring); the stream is capped (MAXLEN ~)
/// since warm keeps the record.</summary>
public sealed class RedisAuditStream(IRedisClient redis, string key, int maxLength, Func<IRedisClient> connect) : IAuditStream
{
    private const string EventField = "e";
    private const string OriginField = "o";
    private readonly byte[] _origin = RandomNumberGenerator.GetBytes(8);

    public static RedisAuditStream Open(string url, string key, int maxLength)
    {
        var endpoint = RedisEndpoint.Parse(url);
        return new(new RedisClient(endpoint), key, maxLength, () => new RedisClient(endpoint));
    }

    public void Append(IReadOnlyList<AuditEvent> batch)
    {
        if (batch.Count == 0)
            return;
        redis.XAdd(key, maxLength, [.. batch.Select(ev => (IReadOnlyDictionary<string, byte[]>)new Dictionary<string, byte[]>
        {
            [EventField] = AuditEventJson.ToUtf8(ev),
            [OriginField] = _origin,
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

    public IAuditStreamCursor OpenCursor() => new Cursor(connect(), key, _origin);

    public void Dispose() => redis.Dispose();

    private static List<AuditEvent> Decode(IEnumerable<RedisStreamEntry> entries) =>
        [.. entries.Where(e => e.Fields.ContainsKey(EventField)).Select(e => AuditEventJson.Parse(e.Fields[EventField]))];

    private sealed class Cursor(IRedisClient client, string key, byte[] origin) : IAuditStreamCursor
    {
        // Null: "the end, as of the next read that reaches the server".
        private string? _position;

        public void SeekToEnd()
        {
            try
            {
                _position = End();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                _position = null; // Redis is down; the tail starts where the stream ends once it is back
            }
        }

        public IReadOnlyList<AuditEvent> Next(int count, TimeSpan wait)
        {
            _position ??= End();
            var entries = client.XRead(key, _position, count, wait);
            if (entries.Count == 0)
                return [];
            _position = entries[^1].Id;
            return Decode(entries.Where(e => !(e.Fields.TryGetValue(OriginField, out byte[]? o) && o.AsSpan().SequenceEqual(origin))));
        }

        public void Dispose() => client.Dispose();

        // "0-0" for an empty stream: everything appended later is after it.
        private string End() => client.XRevRange(key, "+", "-", 1) is [var newest] ? newest.Id : "0-0";
    }
}
