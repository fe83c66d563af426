using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>Live tails across daemons. This daemon's events reach its tails from the hot ring the
/// moment they are emitted; this adds the events other daemons append to the shared stream. One
/// reader thread per daemon, and only while someone tails: the first subscriber moves the cursor
/// to the stream's end (the tail starts now), the thread reads with XREAD BLOCK on the cursor's
/// own connection, and it goes idle after the last subscriber leaves. The cursor skips this
/// daemon's own entries, so nothing is shown twice; while Redis is down the ring keeps serving
/// and the cursor resumes from where it was.</summary>
internal sealed class SharedStreamTail : IDisposable
{
    /// <summary>How long one XREAD waits: also how soon the thread notices the last tail left or the daemon stopping.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(200);
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
        _cursor.Dispose();
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
                        foreach (var ev in _cursor.Next(ReadCount, Wait))
                            _tail.Publish(ev);
                        if (failing)
                            _readResumed();
                        failing = false;
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
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
