namespace Sandboxd.Isolation.Filesystem;

/// <summary>A writable layer at one moment: each entry by its path from the sandbox's root
/// ("/etc/hosts"), and which directories were listed to the end. A directory the walk did not
/// finish (a limit, or it vanished mid-walk) says nothing about what is or is not inside it.</summary>
public sealed class LayerSnapshot
{
    private readonly Dictionary<string, LayerEntry> _entries;
    private readonly HashSet<string> _listed;

    internal LayerSnapshot(Dictionary<string, LayerEntry> entries, HashSet<string> listed, bool hitEntryLimit, bool hitDepthLimit)
    {
        _entries = entries;
        _listed = listed;
        HitEntryLimit = hitEntryLimit;
        HitDepthLimit = hitDepthLimit;
    }

    /// <summary>Nothing walked: the snapshot of a layer that could not be read.</summary>
    public static LayerSnapshot Unknown { get; } = new([], [], false, false);

    public IReadOnlyDictionary<string, LayerEntry> Entries => _entries;

    public bool HitEntryLimit { get; }

    public bool HitDepthLimit { get; }

    public bool Complete => !HitEntryLimit && !HitDepthLimit && _listed.Contains("");

    /// <summary>Whether this snapshot knows if path exists: true when its nearest ancestor that
    /// is present was listed completely (or is not a directory, so nothing can be under it).
    /// A path under a directory that is itself gone is decided by that directory's parent.</summary>
    public bool Knows(string path)
    {
        for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            var ancestor = path[..slash];
            if (_entries.TryGetValue(ancestor, out var entry))
                return entry.Type != LayerEntryType.Directory || _listed.Contains(ancestor);
        }
        return _listed.Contains("");
    }

    /// <summary>Whether the directory at path was listed to the end.</summary>
    public bool Listed(string path) => _listed.Contains(path);
}
