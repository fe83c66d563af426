using System.Globalization;
using System.Text;

namespace Sandboxd.Audit.Redis;

/// <summary>RESP2 client over one connection, serialised by a lock (the audit writer is its only
/// heavy user). A broken connection is dropped and reopened on the next command.</summary>
public sealed class RedisClient(RedisEndpoint endpoint) : IRedisClient
{
    private readonly Lock _lock = new();
    private RespConnection? _connection;

    public IReadOnlyList<string> XAdd(string key, int maxLength, IReadOnlyList<IReadOnlyDictionary<string, byte[]>> entries)
    {
        var commands = entries.Select(fields =>
        {
            var args = new List<byte[]> { B("XADD"), B(key), B("MAXLEN"), B("~"), B(maxLength), B("*") };
            foreach (var (field, value) in fields)
            {
                args.Add(B(field));
                args.Add(value);
            }
            return args;
        }).ToList();
        return [.. Run(commands).Select(reply => S(reply))];
    }

    public IReadOnlyList<RedisStreamEntry> XRange(string key, string start, string end, int count) =>
        Entries(Run([[B("XRANGE"), B(key), B(start), B(end), B("COUNT"), B(count)]])[0]);

    public IReadOnlyList<RedisStreamEntry> XRevRange(string key, string end, string start, int count) =>
        Entries(Run([[B("XREVRANGE"), B(key), B(end), B(start), B("COUNT"), B(count)]])[0]);

    public IReadOnlyList<RedisStreamEntry> XRead(string key, string afterId, int count, TimeSpan? block = null)
    {
        var args = new List<byte[]> { B("XREAD"), B("COUNT"), B(count) };
        // BLOCK 0 means "forever" to Redis; a zero wait here means "do not wait".
        if (block is { } b && b > TimeSpan.Zero)
            args.AddRange([B("BLOCK"), B(Math.Max(1, (int)b.TotalMilliseconds))]);
        args.AddRange([B("STREAMS"), B(key), B(afterId)]);
        // Reply: [[key, [entries]]] per stream, or nil on timeout.
        return Run([args])[0] is object?[] { Length: > 0 } streams && streams[0] is object?[] { Length: 2 } stream
            ? Entries(stream[1])
            : [];
    }

    public long Publish(string channel, byte[] message) =>
        (long)Run([[B("PUBLISH"), B(channel), message]])[0]!;

    public void Dispose()
    {
        lock (_lock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }

    /// <summary>Writes every command, then reads every reply: one round trip for a batch.</summary>
    private object?[] Run(List<List<byte[]>> commands)
    {
        lock (_lock)
        {
            _connection ??= new RespConnection(endpoint);
            try
            {
                foreach (var command in commands)
                    _connection.Write(command);
                _connection.Flush();
                var replies = new object?[commands.Count];
                RedisServerException? firstError = null;
                for (int i = 0; i < replies.Length; i++)
                {
                    try
                    {
                        replies[i] = _connection.Read();
                    }
                    catch (RedisServerException e)
                    {
                        firstError ??= e; // keep reading so the connection stays in step
                    }
                }
                return firstError is null ? replies : throw firstError;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                var broken = _connection;
                _connection = null; // first: the next command must reconnect whatever Dispose does
                broken.Dispose();
                throw;
            }
        }
    }

    private static List<RedisStreamEntry> Entries(object? reply)
    {
        var entries = new List<RedisStreamEntry>();
        if (reply is not object?[] items)
            return entries;
        foreach (var item in items)
        {
            if (item is not object?[] { Length: 2 } pair || pair[1] is not object?[] kv)
                continue;
            var fields = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            for (int i = 0; i + 1 < kv.Length; i += 2)
                fields[S(kv[i])] = kv[i + 1] as byte[] ?? [];
            entries.Add(new RedisStreamEntry(S(pair[0]), fields));
        }
        return entries;
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] B(int n) => B(n.ToString(CultureInfo.InvariantCulture));

    private static string S(object? reply) => reply switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string s => s,
        _ => throw new IOException("unexpected redis reply " + reply),
    };
}
