using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>How full the filesystem under a sandbox's writable layer is: its own ext4 disk, so
/// the figures are the sandbox's alone (what its files take, against its disk limit).</summary>
public readonly record struct LayerDiskUsage(long UsedBytes, long TotalBytes)
{
    // struct statfs on x86_64: f_type, f_bsize, f_blocks, f_bfree, ... (8 bytes each).
    private const int StatFsBytes = 120, BlockSizeAt = 8, BlocksAt = 16, FreeBlocksAt = 24;

    /// <summary>Null when the layer is closed (the sandbox is being destroyed) or fstatfs fails.</summary>
    public static unsafe LayerDiskUsage? Read(SafeFileHandle layer)
    {
        bool added = false;
        try
        {
            layer.DangerousAddRef(ref added);
            var fs = stackalloc byte[StatFsBytes];
            if (Native.FStatFs((int)layer.DangerousGetHandle(), fs) == -1)
                return null;
            long blockSize = *(long*)(fs + BlockSizeAt);
            ulong blocks = *(ulong*)(fs + BlocksAt), free = *(ulong*)(fs + FreeBlocksAt);
            return new LayerDiskUsage((long)(blocks - free) * blockSize, (long)blocks * blockSize);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added)
                layer.DangerousRelease();
        }
    }
}
