using System.Threading.Channels;
using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Pipeline;

/// <summary>One FIFO path from Emit to a durable store, with two counters: how many events went in
/// and how many are durable. Because the lane is FIFO and written under the pipeline's emit lock,
/// "Persisted ≥ n" means exactly "the first n events in are durable" — what FlushAsync waits for.</summary>
internal sealed class PipelineLane(Channel<AuditEvent> channel)
{
    private long _enqueued;
    private long _persisted;

    public ChannelReader<AuditEvent> Reader => channel.Reader;

    public long Enqueued => Volatile.Read(ref _enqueued);

    public long Persisted => Volatile.Read(ref _persisted);

    public static PipelineLane Bounded(int capacity) =>
        new(Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }));

    public static PipelineLane Unbounded() =>
        new(Channel.CreateUnbounded<AuditEvent>(new UnboundedChannelOptions { SingleReader = true }));

    /// <summary>Call under the emit lock.</summary>
    public bool TryWrite(AuditEvent ev)
    {
        if (!channel.Writer.TryWrite(ev))
            return false;
        _enqueued++;
        return true;
    }

    public void Complete() => channel.Writer.TryComplete();

    public void MarkPersisted(int count) => Interlocked.Add(ref _persisted, count);

    /// <summary>Takes what is waiting, up to <paramref name="max"/>, without waiting.</summary>
    public int Drain(List<AuditEvent> into, int max)
    {
        int n = 0;
        while (n < max && channel.Reader.TryRead(out var ev))
        {
            into.Add(ev);
            n++;
        }
        return n;
    }
}
