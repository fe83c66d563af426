using System.Threading.Channels;
using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>One live tail: the events emitted after it started that pass its filter.</summary>
public sealed class HotTailSubscription : IDisposable
{
    private readonly HotTail _owner;
    private readonly Func<AuditEvent, bool> _filter;
    private readonly Channel<AuditEvent> _channel;

    internal HotTailSubscription(HotTail owner, Func<AuditEvent, bool> filter, Channel<AuditEvent> channel)
    {
        _owner = owner;
        _filter = filter;
        _channel = channel;
    }

    public ChannelReader<AuditEvent> Events => _channel.Reader;

    internal void Offer(AuditEvent ev)
    {
        // A filter runs on the emitting thread: it must not be able to fail the emitter.
        bool wanted;
        try
        {
            wanted = _filter(ev);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            wanted = false;
        }
        if (wanted)
            _channel.Writer.TryWrite(ev);
    }

    public void Dispose()
    {
        _owner.Remove(this);
        _channel.Writer.TryComplete();
    }
}
