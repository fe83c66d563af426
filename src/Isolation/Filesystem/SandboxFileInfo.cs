namespace Sandboxd.Isolation.Filesystem;

public enum SandboxFileType
{
    Unknown,
    Regular,
    Directory,
    Symlink,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
}

/// <summary>One file as the sandbox sees it: ids are the ids inside (65534 for a host id the
/// sandbox does not map).</summary>
public sealed record SandboxFileInfo(string Path, SandboxFileType Type, ulong Size, uint Mode, uint Uid, uint Gid, long MtimeNs,
    string LinkTarget)
{
    public static SandboxFileType TypeOf(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => SandboxFileType.Regular,
        0x4000 => SandboxFileType.Directory,
        0xA000 => SandboxFileType.Symlink,
        0x1000 => SandboxFileType.Fifo,
        0xC000 => SandboxFileType.Socket,
        0x2000 => SandboxFileType.CharDevice,
        0x6000 => SandboxFileType.BlockDevice,
        _ => SandboxFileType.Unknown,
    };

    public static string Describe(SandboxFileType type) => type switch
    {
        SandboxFileType.Directory => "is a directory",
        SandboxFileType.Symlink => "is a symlink (not followed)",
        SandboxFileType.Fifo => "is a FIFO",
        SandboxFileType.Socket => "is a socket",
        SandboxFileType.CharDevice => "is a character device",
        SandboxFileType.BlockDevice => "is a block device",
        _ => "is not a regular file",
    };
}
