namespace Sandboxd.Isolation.Filesystem;

/// <summary>One change a command made to the sandbox's root, as the diff of two snapshots of the
/// writable layer shows it. Type and size are of the entry after the change (before it, for a deletion).</summary>
public sealed record FileChange(FileChangeKind Kind, string Path, LayerEntryType Type, long Size);
