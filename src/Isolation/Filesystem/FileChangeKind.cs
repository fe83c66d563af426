namespace Sandboxd.Isolation.Filesystem;

public enum FileChangeKind
{
    Created,
    Modified,
    Deleted,
}
