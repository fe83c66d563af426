using System.Threading.Channels;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Api;

/// <summary>One watch of a sandbox's directory, delivered in order to a caller: Files.Watch and
/// the E2B listener's WatchDir and polling watchers share it. inotify is read on a thread of its
/// own; a slow caller's surplus is counted as dropped, never buffered without bound. Ends when
/// the call is cancelled or the sandbox goes away.</summary>
public static class FileWatchStream
{
    /// <summary>Events waiting for a slow caller; more are counted as dropped, not buffered.</summary>
    public const int Buffer = 4096;

    /// <param name="ready">Called once the watch is in place, before any event.</param>
    /// <param name="onEvent">Each change, with the events lost so far on this watch.</param>
    public static async Task RunAsync(Orchestrator orchestrator, string sandboxId, string user, string path, bool recursive,
        Func<Task> ready, Func<WatchRecord, ulong, Task> onEvent, CancellationToken cancel)
    {
        var files = orchestrator.OpenFiles(sandboxId, user, out var live);
        SandboxWatch watch;
        try
        {
            watch = files.Watch(path, recursive);
        }
        catch
        {
            files.Dispose();
            throw;
        }
        var events = Channel.CreateBounded<WatchRecord>(new BoundedChannelOptions(Buffer) { SingleReader = true, SingleWriter = true });
        long dropped = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        // The sandbox going away ends the watch.
        _ = live.Launched.Channel.Closed.ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);
        var reader = new Thread(() =>
        {
            try
            {
                watch.Run(e =>
                {
                    if (!events.Writer.TryWrite(e))
                        Interlocked.Increment(ref dropped);
                }, stop.Token);
            }
            catch (Exception e) when (e is SandboxFileException)
            {
                events.Writer.TryComplete(e);
                return;
            }
            events.Writer.TryComplete();
        }) { IsBackground = true, Name = "files-watch" };
        try
        {
            await ready().ConfigureAwait(false);
            reader.Start();
            try
            {
                await foreach (var e in events.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    if (e.Kind == WatchKind.Overflow)
                        Interlocked.Increment(ref dropped);
                    await onEvent(e, (ulong)Interlocked.Read(ref dropped)).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancel.IsCancellationRequested)
            {
                // The sandbox went away: the stream ends.
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            if (reader.ThreadState != ThreadState.Unstarted)
                reader.Join();
            watch.Dispose();
            files.Dispose();
        }
    }
}
