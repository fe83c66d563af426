using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Sandboxd.Core.Orchestration;

/// <summary>Who watches which sandbox (WatchSandbox): each watcher gets every event of its
/// sandbox in order. A watcher that does not read is not waited for: its queue is bounded and
/// its oldest events give way.</summary>
public sealed class SandboxWatchers
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<SandboxWatchEvent>, byte>> _byId = new();

    public bool Any(string id) => _byId.TryGetValue(id, out var set) && !set.IsEmpty;

    public Channel<SandboxWatchEvent> Subscribe(string id)
    {
        var channel = Channel.CreateBounded<SandboxWatchEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        _byId.GetOrAdd(id, _ => new()).TryAdd(channel, 0);
        return channel;
    }

    public void Unsubscribe(string id, Channel<SandboxWatchEvent> channel)
    {
        if (_byId.TryGetValue(id, out var set))
            set.TryRemove(channel, out _);
    }

    public void Publish(string id, SandboxWatchEvent e)
    {
        if (!_byId.TryGetValue(id, out var set))
            return;
        foreach (var channel in set.Keys)
            channel.Writer.TryWrite(e);
    }
}
