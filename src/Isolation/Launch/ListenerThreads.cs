using System.Collections.Concurrent;

namespace Sandboxd.Isolation.Launch;

/// <summary>Threads kept parked for seccomp listeners. Each command's first execve waits until
/// its listener runs, and starting a thread costs 0.1–0.5 ms on these hosts, so a listener takes
/// a parked thread when there is one (a new one otherwise); a thread parks again when its
/// listener ends, and leaves after <see cref="IdleExit"/> unused.</summary>
internal static class ListenerThreads
{
    private static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(30);
    private static readonly BlockingCollection<Action> Work = [];

    /// <summary>Parked threads no listener has claimed yet.</summary>
    private static int _unclaimed;

    public static void Run(Action listener)
    {
        Work.Add(listener);
        // Claim a parked thread for it, or start one: every item added has a thread on its way.
        while (true)
        {
            int parked = Volatile.Read(ref _unclaimed);
            if (parked == 0)
            {
                new Thread(Loop) { IsBackground = true, Name = "sbx-seccomp-notify" }.Start();
                return;
            }
            if (Interlocked.CompareExchange(ref _unclaimed, parked - 1, parked) == parked)
                return;
        }
    }

    private static void Loop()
    {
        while (true)
        {
            // A new thread was started for an item already added; a parked one was claimed.
            if (Work.TryTake(out var listener, IdleExit))
            {
                listener();
                Interlocked.Increment(ref _unclaimed);
                continue;
            }
            if (Unpark())
                return;
        }
    }

    /// <summary>Leaves only when no listener has claimed this thread meanwhile (one did when the
    /// count is already spent: its item is in the queue, so the thread waits for it instead).</summary>
    private static bool Unpark()
    {
        while (true)
        {
            int parked = Volatile.Read(ref _unclaimed);
            if (parked == 0)
                return false;
            if (Interlocked.CompareExchange(ref _unclaimed, parked - 1, parked) == parked)
                return true;
        }
    }
}
