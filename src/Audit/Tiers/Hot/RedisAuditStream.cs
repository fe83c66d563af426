using System.Security.Cryptography;
using Sandboxd.Audit.Events;
using StackExchange.Redis;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>The shared hot tier: one Redis stream that several daemons append to. Each entry holds
/// the event's stored JSON in field "e" and the appending daemon's origin in "o" (so a daemon's
/// live tails can skip what they already had from its ring); the stream is capped (MAXLEN ~)
/// since warm keeps the record. Every command goes through one multiplexer and none of them
/// blocks on the server (no XREAD BLOCK): a blocking command would hold up every other command
/// pipelined behind it on the shared connection, this daemon's appends included.</summary>
public sealed class RedisAuditStream : IAuditStream
{
    private static readonly RedisValue EventField = "e";
    private static readonly RedisValue OriginField = "o";
    private readonly Task<ConnectionMultiplexer> _connecting;
    private readonly RedisKey _key;
    private readonly int _maxLength;
    private readonly byte[] _origin = RandomNumberGenerator.GetBytes(8);

    private RedisAuditStream(Task<ConnectionMultiplexer> connecting, string key, int maxLength)
    {
        _connecting = connecting;
        _key = key;
        _maxLength = maxLength;
    }

    /// <summary>How long daemon start waits for the first connect. A server that is up answers in
    /// milliseconds, so the first events reach the stream; one that is down holds start no longer
    /// than this (a synchronous Connect would hold it for ConnectTimeout × ConnectRetry).</summary>
    private static readonly TimeSpan FirstConnectWait = TimeSpan.FromSeconds(1);

    /// <summary>Never fails for a server that is down: the first connect goes on in the background,
    /// commands fail (<see cref="AuditStreamException"/>) until it has connected, and after that
    /// the multiplexer reconnects by itself.</summary>
    public static RedisAuditStream Open(string url, string key, int maxLength)
    {
        var connecting = ConnectionMultiplexer.ConnectAsync(RedisUrl.ToOptions(url));
        // Faults are seen by the first command (Db); here only the wait matters.
        ((IAsyncResult)connecting).AsyncWaitHandle.WaitOne(FirstConnectWait);
        return new(connecting, key, maxLength);
    }

    private IDatabase Db => _connecting.IsCompletedSuccessfully
        ? _connecting.Result.GetDatabase()
        : throw new AuditStreamException("the shared audit stream is not connected yet", _connecting.Exception);

    public void Append(IReadOnlyList<AuditEvent> batch)
    {
        if (batch.Count == 0)
            return;
        Call(() =>
        {
            // One round trip for the batch: the XADDs are queued on a batch and written together.
            // While disconnected, FailFast makes Execute itself throw.
            var pipeline = Db.CreateBatch();
            var adds = new Task<RedisValue>[batch.Count];
            for (int i = 0; i < adds.Length; i++)
            {
                NameValueEntry[] fields = [new(EventField, AuditEventJson.ToUtf8(batch[i])), new(OriginField, _origin)];
                adds[i] = pipeline.StreamAddAsync(_key, fields, maxLength: _maxLength, useApproximateMaxLength: true);
            }
            pipeline.Execute();
            // The caller is the warm writer's own loop, synchronous by design; the sync timeout
            // bounds the wait. WhenAll observes every task, so no failure goes unobserved.
            return Task.WhenAll(adds).GetAwaiter().GetResult();
        });
    }

    public IReadOnlyList<AuditEvent> ReadLatest(int count) =>
        Decode(Call(() => Db.StreamRange(_key, "-", "+", count, Order.Descending)));

    /// <summary>Entries after <paramref name="afterId"/>, oldest first, without waiting: the
    /// building block of a live tail across daemons.</summary>
    public (IReadOnlyList<AuditEvent> Events, string LastId) ReadAfter(string afterId, int count)
    {
        var entries = Read(afterId, count);
        return (Decode(entries), entries.Length > 0 ? entries[^1].Id.ToString() : afterId);
    }

    public IAuditStreamCursor OpenCursor() => new Cursor(this);

    public void Dispose()
    {
        if (_connecting.IsCompletedSuccessfully)
            _connecting.Result.Dispose();
        else // a multiplexer that arrives later would otherwise keep reconnecting for nobody
            _connecting.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private StreamEntry[] Read(RedisValue afterId, int count) => Call(() => Db.StreamRead(_key, afterId, count));

    // "0-0" for an empty stream: everything appended later is after it.
    private RedisValue End() => Call(() => Db.StreamRange(_key, "-", "+", 1, Order.Descending)) is [var newest] ? newest.Id : "0-0";

    private bool IsOwn(StreamEntry entry) => ((ReadOnlyMemory<byte>)entry[OriginField]).Span.SequenceEqual(_origin);

    private static List<AuditEvent> Decode(IEnumerable<StreamEntry> entries) =>
        [.. entries.Select(e => e[EventField]).Where(v => !v.IsNull).Select(v => AuditEventJson.Parse(((ReadOnlyMemory<byte>)v).Span))];

    /// <summary>The client's failures as one type the callers handle (see <see cref="AuditStreamException"/>).</summary>
    private static T Call<T>(Func<T> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            throw new AuditStreamException("shared audit stream: " + e.Message, e);
        }
    }

    private sealed class Cursor(RedisAuditStream stream) : IAuditStreamCursor
    {
        // Null: "the end, as of the next read that reaches the server".
        private RedisValue? _position;

        public void SeekToEnd()
        {
            try
            {
                _position = stream.End();
            }
            catch (AuditStreamException)
            {
                _position = null; // Redis is down; the tail starts where the stream ends once it is back
            }
        }

        public IReadOnlyList<AuditEvent> Next(int count)
        {
            _position ??= stream.End();
            var entries = stream.Read(_position.Value, count);
            if (entries.Length == 0)
                return [];
            _position = entries[^1].Id;
            return Decode(entries.Where(e => !stream.IsOwn(e)));
        }
    }
}
