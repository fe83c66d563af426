using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>Live tails across daemons. This daemon's events reach its tails from the hot ring the
/// moment they are emitted; this adds the events other daemons append to the shared stream. One
/// reader thread per daemon, and only while someone tails: the first subscriber moves the cursor
/// to the stream's end (the tail starts now), the thread polls the cursor, and it goes idle after
/// the last subscriber leaves. The cursor skips this daemon's own entries, so nothing is shown
/// twice; while Redis is down the ring keeps serving and the cursor resumes from where it was.
/// <para>Why a poll and not XREAD BLOCK: the stream's one multiplexer pipelines every command of
/// this daemon, and a blocked read would stall the appends queued behind it. A dedicated
/// connection for the block would work, but StackExchange.Redis does not model blocking commands
/// (its timeouts would race the block) and it is a second connection per daemon to keep alive.
/// A non-blocking XREAD every <see cref="PollInterval"/>, only while someone tails, costs one
/// small round trip and adds at most that interval to a tail that already waits for the other
/// daemon's warm commit.</para></summary>
internal sealed class SharedStreamTail : IDisposable
{
    /// <summary>The pause after a read that found the stream drained: also how soon the thread notices the last tail left.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private const int ReadCount = 1024;

    private readonly HotTail _tail;
    private readonly IAuditStreamCursor _cursor;
    private readonly Action<Exception> _readFailed;
    private readonly Action _readResumed;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private bool _reading;

    public SharedStreamTail(HotTail tail, IAuditStream stream, Action<Exception> readFailed, Action readResumed)
    {
        _tail = tail;
        _cursor = stream.OpenCursor();
        _readFailed = readFailed;
        _readResumed = readResumed;
        _thread = new Thread(Run) { IsBackground = true, Name = "audit shared tail" };
        _thread.Start();
    }

    public HotTailSubscription Subscribe(Func<AuditEvent, bool> filter)
    {
        var subscription = _tail.Subscribe(filter);
        lock (_lock)
        {
            if (!_reading)
            {
                // The thread is idle, so the cursor is ours to move.
                _cursor.SeekToEnd();
                _reading = true;
                _wake.Release();
            }
        }
        return subscription;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _wake.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        bool failing = false;
        try
        {
            while (true)
            {
                _wake.Wait(_stop.Token);
                while (!_stop.IsCancellationRequested)
                {
                    lock (_lock)
                    {
                        if (_tail.Subscribers == 0)
                        {
                            _reading = false;
                            break;
                        }
                    }
                    try
                    {
                        var events = _cursor.Next(ReadCount);
                        foreach (var ev in events)
                            _tail.Publish(ev);
                        if (failing)
                            _readResumed();
                        failing = false;
                        // Nothing to show: the stream is drained (or held only this daemon's own
                        // entries, which then drain at ReadCount per interval, plenty for a tail).
                        if (events.Count == 0)
                            _stop.Token.WaitHandle.WaitOne(PollInterval);
                    }
                    catch (Exception e) when (e is IOException or InvalidOperationException)
                    {
                        if (!failing)
                            _readFailed(e);
                        failing = true;
                        _stop.Token.WaitHandle.WaitOne(RetryAfter);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Daemon stopping.
        }
    }
}
