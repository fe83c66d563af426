using System.Collections.Concurrent;
using System.Security.Cryptography;
using Sandboxd.Core.Api;
using Sandboxd.Core.Orchestration;
using Sandboxd.E2b.Envd.Filesystem;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.E2b.Envd;

/// <summary>envd's polling watchers (CreateWatcher / GetWatcherEvents / RemoveWatcher): each is
/// one FileWatchStream running in the background into a bounded queue that a poll drains. A
/// watcher ends with its sandbox; one nobody removes is dropped after the queue's worth of
/// events (the oldest go first).</summary>
public sealed class EnvdWatchers(Orchestrator orchestrator)
{
    private const int MaxQueued = FileWatchStream.Buffer;

    private sealed record Watcher(string SandboxId, ConcurrentQueue<FilesystemEvent> Events, CancellationTokenSource Stop);

    private readonly ConcurrentDictionary<string, Watcher> _watchers = new(StringComparer.Ordinal);

    /// <summary>Returns once the watch is in place, so every change after it is seen.</summary>
    public async Task<string> CreateAsync(string sandboxId, string user, string path, bool recursive, bool includeEntry, CancellationToken cancel)
    {
        var id = "w-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var watcher = new Watcher(sandboxId, new ConcurrentQueue<FilesystemEvent>(), new CancellationTokenSource());
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var correlation = CallCorrelation.Current;
        var run = Task.Run(async () =>
        {
            CallCorrelation.Current = correlation;
            try
            {
                await FileWatchStream.RunAsync(orchestrator, sandboxId, user, path, recursive,
                    () =>
                    {
                        _watchers[id] = watcher;
                        ready.TrySetResult();
                        return Task.CompletedTask;
                    },
                    (e, _) =>
                    {
                        foreach (var fs in Events(orchestrator, sandboxId, user, path, e, includeEntry))
                        {
                            watcher.Events.Enqueue(fs);
                            while (watcher.Events.Count > MaxQueued)
                                watcher.Events.TryDequeue(out FilesystemEvent? _);
                        }
                        return Task.CompletedTask;
                    }, watcher.Stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ready.TrySetException(e);
            }
            finally
            {
                ready.TrySetCanceled(CancellationToken.None);
                _watchers.TryRemove(id, out _);
                watcher.Stop.Dispose();
            }
        }, CancellationToken.None);
        await ready.Task.WaitAsync(cancel).ConfigureAwait(false);
        return id;
    }

    public IReadOnlyList<FilesystemEvent> Drain(string sandboxId, string watcherId)
    {
        var watcher = Get(sandboxId, watcherId);
        var events = new List<FilesystemEvent>();
        while (watcher.Events.TryDequeue(out var e))
            events.Add(e);
        return events;
    }

    public void Remove(string sandboxId, string watcherId)
    {
        var watcher = Get(sandboxId, watcherId);
        if (!_watchers.TryRemove(watcherId, out _))
            return;
        try
        {
            watcher.Stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It ended by itself meanwhile (its sandbox went away).
        }
    }

    private Watcher Get(string sandboxId, string watcherId) =>
        _watchers.TryGetValue(watcherId, out var w) && w.SandboxId == sandboxId
            ? w
            : throw new SandboxFileException(watcherId, "no such watcher (removed, or its sandbox is gone)");

    /// <summary>One inotify record as envd's events (fsnotify's): a move is RENAME of the old
    /// name and CREATE of the new; names relative to the watched directory.</summary>
    public static IEnumerable<FilesystemEvent> Events(Orchestrator orchestrator, string sandboxId, string user, string watched, WatchRecord e,
        bool includeEntry)
    {
        switch (e.Kind)
        {
            case WatchKind.Create:
                yield return Event(orchestrator, sandboxId, user, watched, e.Path, EventType.Create, includeEntry);
                break;
            case WatchKind.Modify:
                yield return Event(orchestrator, sandboxId, user, watched, e.Path, EventType.Write, includeEntry);
                break;
            case WatchKind.Delete:
                yield return Event(orchestrator, sandboxId, user, watched, e.Path, EventType.Remove, false);
                break;
            case WatchKind.Move:
                if (e.Path.Length > 0)
                    yield return Event(orchestrator, sandboxId, user, watched, e.Path, EventType.Rename, false);
                if (e.NewPath.Length > 0)
                    yield return Event(orchestrator, sandboxId, user, watched, e.NewPath, EventType.Create, includeEntry);
                break;
        }
    }

    private static FilesystemEvent Event(Orchestrator orchestrator, string sandboxId, string user, string watched, string path, EventType type,
        bool includeEntry)
    {
        var prefix = watched.TrimEnd('/') + "/";
        var fs = new FilesystemEvent { Name = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path, Type = type };
        if (includeEntry)
        {
            try
            {
                using var files = orchestrator.OpenFiles(sandboxId, user, out _);
                fs.Entry = EntryInfoMapping.ToEntry(files.Stat(path), path);
            }
            catch (SandboxFileException)
            {
                // Gone again already: the event without its entry.
            }
        }
        return fs;
    }
}
