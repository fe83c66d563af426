using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Orchestration;

/// <summary>Audits what each execution created, changed and deleted in its sandbox's root: after a
/// command exits, the writable layer is walked again and diffed against the previous walk (which is
/// the "before" of this execution, so nothing is walked before a command starts).
///
/// A layer nothing changed since the last walk is not walked (<see cref="LayerChangeWatch"/>), so
/// only executions that wrote pay for a walk, and only their successors can wait for one.
///
/// The walk runs after the exit has gone back to the client, so the file events follow the
/// execution's ExecutionFinished event. The next execution of the same sandbox waits for it before
/// its command starts, so back-to-back executions are attributed exactly.
///
/// Executions that run at the same time cannot be told apart by a diff of one shared layer: every
/// change seen when one finishes is attributed to that one (including the other's changes so far).
/// Changes made between executions (a background process left running) go to the next to finish.
///
/// Only the overlay's writable layer is seen: /tmp and /dev/shm are tmpfs mounts of their own
/// (scratch space, gone with the sandbox) and /usr of the default image is read-only.</summary>
public sealed partial class FileChangeRecorder
{
    /// <summary>Events per execution; beyond it one FileEventsOmitted event counts the rest.</summary>
    public const int MaxEventsPerExecution = 1000;

    private readonly string _sandboxId;
    private readonly SafeFileHandle _upper;
    private readonly string _imageDir;
    private readonly LayerWalkLimits _limits;
    private readonly IAuditSink _audit;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly LayerChangeWatch.Changes? _changes;
    private LayerSnapshot _last;
    private Task _walks = Task.CompletedTask;

    public FileChangeRecorder(string sandboxId, OverlayLayers layers, IAuditSink audit, ILogger log, LayerWalkLimits? limits = null)
    {
        _sandboxId = sandboxId;
        _upper = layers.Upper;
        _imageDir = layers.ImageDir;
        _limits = limits ?? LayerWalkLimits.Default;
        _audit = audit;
        _log = log;
        // Watched before the baseline, so no change after it goes unseen.
        _changes = LayerChangeWatch.Watch(_upper);
        // The baseline: what setup put there (home, /root, mount points). Small, so taken here.
        _last = Walk() ?? LayerSnapshot.Unknown;
    }

    /// <summary>Completes when every walk queued so far has emitted its events.</summary>
    public Task SettledAsync()
    {
        lock (_gate)
            return _walks;
    }

    /// <summary>Queues the walk for an execution that has ended. The layer's fd is referenced
    /// here, so a destroy that follows at once does not close it under the walk.</summary>
    public void RecordAfter(string executionId, AuditCorrelation correlation)
    {
        bool added = false;
        try
        {
            _upper.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return; // the sandbox is gone and so is its layer
        }
        lock (_gate)
        {
            _walks = _walks.ContinueWith(_ =>
            {
                try
                {
                    Record(executionId, correlation);
                }
                catch (Exception e)
                {
                    // The chain must stay whole: the next execution waits on it.
                    LogWalkFailed(_sandboxId, e.ToString());
                }
                finally
                {
                    _upper.DangerousRelease();
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>The sandbox's processes are gone: nothing changes its layer any more.</summary>
    public void StopWatching()
    {
        if (_changes is { } changes)
            LayerChangeWatch.Forget(changes);
    }

    private void Record(string executionId, AuditCorrelation correlation)
    {
        // Nothing touched the layer since the last walk: the diff is empty, so no walk. A
        // snapshot cut short by a limit is walked every time, as its omitted-events record says.
        if (_changes is { } watch && !watch.TakeChanged() && _last.Complete)
            return;
        if (Walk() is not { } now)
            return;
        List<FileChange> changes;
        try
        {
            // Opened per walk: a sandbox holds no fd on its image between executions.
            using var image = new ImageLookup(_imageDir);
            changes = LayerDiff.Compare(_last, now, image.Find);
        }
        finally
        {
            _last = now;
        }
        foreach (var change in changes.Take(MaxEventsPerExecution))
            _audit.Emit(KindOf(change.Kind), correlation, _sandboxId, executionId, Attributes(change));
        if (changes.Count > MaxEventsPerExecution || !now.Complete)
            _audit.Emit(AuditKind.FileEventsOmitted, correlation, _sandboxId, executionId, Summary(changes, now));
    }

    private LayerSnapshot? Walk()
    {
        try
        {
            return LayerWalker.Snapshot(_upper, _limits);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            LogWalkFailed(_sandboxId, e.Message);
            return null;
        }
    }

    private static AuditKind KindOf(FileChangeKind kind) => kind switch
    {
        FileChangeKind.Created => AuditKind.FileCreated,
        FileChangeKind.Modified => AuditKind.FileModified,
        _ => AuditKind.FileDeleted,
    };

    private static Dictionary<string, string> Attributes(FileChange change) => new()
    {
        ["path"] = change.Path,
        ["type"] = TypeName(change.Type),
        ["size"] = change.Size.ToString(CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string> Summary(List<FileChange> changes, LayerSnapshot now)
    {
        var left = changes.Skip(MaxEventsPerExecution).ToList();
        return new Dictionary<string, string>
        {
            ["omitted"] = Number(left.Count),
            ["omitted_created"] = Number(left.Count(c => c.Kind == FileChangeKind.Created)),
            ["omitted_modified"] = Number(left.Count(c => c.Kind == FileChangeKind.Modified)),
            ["omitted_deleted"] = Number(left.Count(c => c.Kind == FileChangeKind.Deleted)),
            // A walk cut short sees only part of the layer: changes past the limit go unreported.
            ["walk"] = now.HitEntryLimit ? "entry limit" : now.HitDepthLimit ? "depth limit" : now.Complete ? "complete" : "partial",
            ["walk_entries"] = Number(now.Entries.Count),
        };
    }

    private static string TypeName(LayerEntryType type) => type switch
    {
        LayerEntryType.File => "file",
        LayerEntryType.Directory => "dir",
        LayerEntryType.Symlink => "symlink",
        LayerEntryType.Fifo => "fifo",
        LayerEntryType.Socket => "socket",
        LayerEntryType.CharDevice => "char",
        LayerEntryType.BlockDevice => "block",
        LayerEntryType.Whiteout => "whiteout",
        _ => "unknown",
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "sandbox {Id}: walking its writable layer failed: {Error}")]
    private partial void LogWalkFailed(string id, string error);
}
