namespace Sandboxd.Governance.Specs;

/// <summary>What of the root a sandbox may write, from the risk table. Persisted and hashed: numbers are frozen.</summary>
public enum FilesystemKind
{
    ReadOnlyRoot = 1,
    ReadWriteUpper = 2,
    IsolatedUpper = 3,
    NothingWritable = 4,
}
