using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>One entry of a layer as lstat saw it. ctime is compared too: a program can set
/// mtime back to hide a write (touch -d), but not ctime.</summary>
public readonly record struct LayerEntry(LayerEntryType Type, long Size, long MtimeNs, long CtimeNs, ulong Inode)
{
    private const uint TypeMask = 0xF000;

    internal static LayerEntry From(in Native.SbxFileStat st) => new(TypeOf(st), st.Size, st.MtimeNs, st.CtimeNs, st.Inode);

    private static LayerEntryType TypeOf(in Native.SbxFileStat st) => (st.Mode & TypeMask) switch
    {
        0x8000 => LayerEntryType.File,
        0x4000 => LayerEntryType.Directory,
        0xA000 => LayerEntryType.Symlink,
        0x1000 => LayerEntryType.Fifo,
        0xC000 => LayerEntryType.Socket,
        0x2000 when st.RdevMajor == 0 && st.RdevMinor == 0 => LayerEntryType.Whiteout,
        0x2000 => LayerEntryType.CharDevice,
        0x6000 => LayerEntryType.BlockDevice,
        _ => LayerEntryType.Unknown,
    };
}
