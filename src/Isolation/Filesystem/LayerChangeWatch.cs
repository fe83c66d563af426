using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Tells whether anything changed a sandbox's writable layer since the last look, so an
/// execution that wrote nothing (most) costs no walk of the layer. One fanotify group for the
/// daemon (a user may own only 128), a filesystem mark per layer (each sandbox's layer is a
/// filesystem of its own: a tmpfs or its disk's ext4); events are told apart by fsid. The kernel
/// queues an event before the changing call returns, so once a command has exited, all it
/// changed is queued. Conservative: a lost event (queue overflow) or an unreadable queue counts
/// as a change of every layer, and where the group or the mark cannot be made there is no watch
/// (null) and every execution walks, as before.</summary>
public static unsafe class LayerChangeWatch
{
    private const int MaxFsids = 256;
    private static readonly Lock Gate = new();
    private static readonly List<Changes> Watched = [];
    private static int _fan = -2; // -2 = not tried, -1 = unavailable

    /// <summary>One watched layer: <see cref="TakeChanged"/> says whether it changed since the
    /// last call (or since it was watched), and resets.</summary>
    public sealed class Changes
    {
        internal Changes(ulong fsid) => Fsid = fsid;

        internal ulong Fsid { get; }

        internal bool Dirty { get; set; }

        internal bool SameFilesystem(Changes other) => other.Fsid == Fsid;

        public bool TakeChanged()
        {
            lock (Gate)
            {
                Drain();
                var dirty = Dirty;
                Dirty = false;
                return dirty;
            }
        }
    }

    /// <summary>Starts watching the filesystem <paramref name="layer"/> is on; null where that
    /// cannot be done. Take the watch before the layer's baseline walk.</summary>
    public static Changes? Watch(SafeFileHandle layer)
    {
        lock (Gate)
        {
            if (_fan == -2)
                _fan = Native.LayerWatchOpen();
            if (_fan < 0)
                return null;
            bool added = false;
            try
            {
                layer.DangerousAddRef(ref added);
                ulong fsid;
                if (Native.LayerWatchAdd(_fan, (int)layer.DangerousGetHandle(), &fsid) != 0)
                    return null;
                // Events already queued belong to earlier looks, not to this new layer.
                Drain();
                var changes = new Changes(fsid);
                Watched.RemoveAll(changes.SameFilesystem); // a filesystem gone and its fsid reused
                Watched.Add(changes);
                return changes;
            }
            finally
            {
                if (added)
                    layer.DangerousRelease();
            }
        }
    }

    /// <summary>Stops counting a layer once nothing can change it any more (its sandbox's processes
    /// are gone): what is queued is counted first, so a last look still sees the last changes.</summary>
    public static void Forget(Changes changes)
    {
        lock (Gate)
        {
            Drain();
            Watched.Remove(changes);
        }
    }

    private static void Drain()
    {
        ulong* fsids = stackalloc ulong[MaxFsids];
        int overflow;
        int count = Native.LayerWatchDrain(_fan, fsids, MaxFsids, &overflow);
        foreach (var changes in Watched)
        {
            if (overflow != 0)
            {
                changes.Dirty = true;
                continue;
            }
            for (int i = 0; i < count; i++)
                if (fsids[i] == changes.Fsid)
                    changes.Dirty = true;
        }
    }
}
