using System.Collections.Concurrent;

namespace Sandboxd.Isolation.Network;

/// <summary>Dedicated threads for native relays, which block in poll for a tunnel's whole life and
/// so must not take thread-pool threads. A finished relay's thread waits a while for the next
/// tunnel: creating a thread per connection costs more than the connection's own setup.</summary>
internal static class RelayThreads
{
    /// <summary>Enough for the native loop and the few managed frames around it.</summary>
    private const int StackSize = 256 * 1024;

    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(30);
    private static readonly BlockingCollection<Action> Work = new(new ConcurrentQueue<Action>());

    /// <summary>Threads waiting for work that no queued item has claimed yet.</summary>
    private static int _unclaimedIdle;

    public static void Run(Action relay)
    {
        Work.Add(relay);
        // Every queued item is taken by the idle thread it claimed or by a thread started for it.
        if (!TryClaimIdle())
            new Thread(Loop, StackSize) { IsBackground = true, Name = "egress relay" }.Start();
    }

    private static void Loop()
    {
        while (true)
        {
            if (Work.TryTake(out var relay, IdleLifetime))
            {
                relay();
                Interlocked.Increment(ref _unclaimedIdle);
            }
            else if (TryClaimIdle())
            {
                return; // no item was queued for this thread: it may leave
            }
        }
    }

    private static bool TryClaimIdle()
    {
        var idle = Volatile.Read(ref _unclaimedIdle);
        while (idle > 0)
        {
            var seen = Interlocked.CompareExchange(ref _unclaimedIdle, idle - 1, idle);
            if (seen == idle)
                return true;
            idle = seen;
        }
        return false;
    }
}
