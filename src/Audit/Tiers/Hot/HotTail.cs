using System.Threading.Channels;
using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>Live subscribers of the hot ring. Publishing reads one immutable array, so with no
/// subscriber it costs a volatile read and allocates nothing. A subscriber too slow to keep up
/// loses its oldest pending events, never blocks Emit, and the loss is counted (the durable
/// tiers still have every event).</summary>
public sealed class HotTail
{
    private readonly Lock _lock = new();
    private HotTailSubscription[] _subscribers = [];
    private long _dropped;

    public int Subscribers => Volatile.Read(ref _subscribers).Length;

    /// <summary>Events a slow subscriber did not get.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Starts receiving events that match <paramref name="filter"/>; dispose to stop.</summary>
    public HotTailSubscription Subscribe(Func<AuditEvent, bool> filter, int capacity = 4096)
    {
        var channel = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, _ => Interlocked.Increment(ref _dropped));
        var subscription = new HotTailSubscription(this, filter, channel);
        lock (_lock)
            _subscribers = [.. _subscribers, subscription];
        return subscription;
    }

    internal void Publish(AuditEvent ev)
    {
        foreach (var s in Volatile.Read(ref _subscribers))
            s.Offer(ev);
    }

    internal void Remove(HotTailSubscription subscription)
    {
        lock (_lock)
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
    }
}
