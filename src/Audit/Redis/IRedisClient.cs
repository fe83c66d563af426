namespace Sandboxd.Audit.Redis;

/// <summary>The few Redis commands the audit hot tier uses. A stand-in until a C# Redis client
/// restores here; keep it this small so swapping it out stays easy.</summary>
public interface IRedisClient : IDisposable
{
    /// <summary>XADD key MAXLEN ~ maxLength * field value, once per entry, as one pipelined round trip. Returns the ids.</summary>
    IReadOnlyList<string> XAdd(string key, int maxLength, IReadOnlyList<IReadOnlyDictionary<string, byte[]>> entries);

    /// <summary>XRANGE key start end COUNT count (oldest first).</summary>
    IReadOnlyList<RedisStreamEntry> XRange(string key, string start, string end, int count);

    /// <summary>XREVRANGE key end start COUNT count (newest first).</summary>
    IReadOnlyList<RedisStreamEntry> XRevRange(string key, string end, string start, int count);

    /// <summary>XREAD COUNT count [BLOCK ms] STREAMS key afterId; empty when nothing arrived in time. No block (or zero) returns at once.</summary>
    IReadOnlyList<RedisStreamEntry> XRead(string key, string afterId, int count, TimeSpan? block = null);

    /// <summary>PUBLISH channel message; returns how many subscribers received it.</summary>
    long Publish(string channel, byte[] message);
}
