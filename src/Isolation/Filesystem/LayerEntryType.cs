namespace Sandboxd.Isolation.Filesystem;

/// <summary>What an entry of a layer is. Whiteout is overlayfs's mark for "deleted from the
/// image": a character device 0:0 in the writable layer.</summary>
public enum LayerEntryType
{
    Unknown = 0,
    File,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Whiteout,
}
