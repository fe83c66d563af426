namespace Sandboxd.Isolation.Filesystem;

/// <summary>What changed in the sandbox's root between two snapshots of its writable layer,
/// read the way overlayfs writes it:
/// - a new entry that the image also has is a copy-up: the image's file was changed (a directory
///   copied up only to hold a changed child is no change of its own);
/// - a new entry the image lacks was created; a whiteout (char device 0:0) deleted the image's file;
/// - an entry that left the layer was deleted (a whiteout that left it was superseded);
/// - a directory's own times change with every entry under it, so directories count as created
///   or deleted, not modified, unless their contents were beyond the walk's limits.
/// Only what both snapshots know is reported: an entry under a directory one of them did not
/// list (a limit was hit) is neither created nor deleted for lack of evidence.</summary>
public static class LayerDiff
{
    public static List<FileChange> Compare(LayerSnapshot before, LayerSnapshot after, Func<string, LayerEntry?> image)
    {
        var changes = new List<FileChange>();
        foreach (var (path, now) in after.Entries)
        {
            if (before.Entries.TryGetValue(path, out var was))
            {
                if (Changed(path, was, now, before, after) is { } change)
                    changes.Add(change);
            }
            else if (before.Knows(path) && Appeared(path, now, image) is { } change)
            {
                changes.Add(change);
            }
        }
        foreach (var (path, was) in before.Entries)
        {
            if (was.Type != LayerEntryType.Whiteout && !after.Entries.ContainsKey(path) && after.Knows(path))
                changes.Add(new FileChange(FileChangeKind.Deleted, path, was.Type, was.Size));
        }
        changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return changes;
    }

    /// <summary>An entry new to the layer.</summary>
    private static FileChange? Appeared(string path, LayerEntry now, Func<string, LayerEntry?> image)
    {
        var original = image(path);
        if (now.Type == LayerEntryType.Whiteout)
            return new FileChange(FileChangeKind.Deleted, path, original?.Type ?? LayerEntryType.Unknown, original?.Size ?? 0);
        if (original is not { } o || o.Type != now.Type)
            return new FileChange(FileChangeKind.Created, path, now.Type, now.Size);
        return now.Type == LayerEntryType.Directory ? null : new FileChange(FileChangeKind.Modified, path, now.Type, now.Size);
    }

    /// <summary>An entry in both snapshots.</summary>
    private static FileChange? Changed(string path, LayerEntry was, LayerEntry now, LayerSnapshot before, LayerSnapshot after)
    {
        if (was == now)
            return null;
        if (now.Type == LayerEntryType.Whiteout)
            return was.Type == LayerEntryType.Whiteout ? null : new FileChange(FileChangeKind.Deleted, path, was.Type, was.Size);
        if (was.Type != now.Type)
            return new FileChange(FileChangeKind.Created, path, now.Type, now.Size);
        if (now.Type == LayerEntryType.Directory && before.Listed(path) && after.Listed(path))
            return null;
        return new FileChange(FileChangeKind.Modified, path, now.Type, now.Size);
    }
}
