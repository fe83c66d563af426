namespace Sandboxd.Audit.Redis;

/// <summary>One stream entry: its id (ms-seq) and its field/value pairs.</summary>
public sealed record RedisStreamEntry(string Id, IReadOnlyDictionary<string, byte[]> Fields);
