using System.Collections.Concurrent;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Tests.Network;

/// <summary>Collects proxy decisions. Allowed connections are recorded when they close, which can
/// be just after the client saw the end, so tests wait for the event they expect.</summary>
internal sealed class EventLog : INetworkEventSink
{
    private readonly ConcurrentQueue<NetworkDecision> _events = new();

    public IReadOnlyCollection<NetworkDecision> All => _events;

    public void Record(NetworkDecision decision) => _events.Enqueue(decision);

    public async Task<NetworkDecision> WaitForAsync(Func<NetworkDecision, bool> match, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (Environment.TickCount64 < deadline)
        {
            var found = _events.FirstOrDefault(match);
            if (found is not null)
                return found;
            await Task.Delay(20);
        }
        throw new TimeoutException("no matching network event; got: " + string.Join("; ", _events));
    }
}
