using System.Runtime.InteropServices;
using System.Text;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Images;

/// <summary>One import under way: its temporary directory, removed on dispose unless committed.</summary>
public sealed unsafe class ImageImport : IDisposable
{
    private readonly ImageStore _store;
    private readonly string _temp;
    private bool _committed;
    private int _disposed;

    internal ImageImport(ImageStore store, string name, string temp)
    {
        _store = store;
        Name = name;
        _temp = temp;
    }

    public string Name { get; }

    /// <summary>Reads the whole archive (any of the formats <see cref="ArchiveFormat"/> knows)
    /// into the temporary rootfs.</summary>
    public UnpackResult Unpack(Stream archive, ImageLimits limits, out string format)
    {
        using var tar = ArchiveFormat.Open(archive, out format);
        int root;
        fixed (byte* p = Encoding.UTF8.GetBytes(ImageStore.RootfsIn(_temp) + "\0"))
            root = Native.Open(p, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_NOFOLLOW | Native.O_CLOEXEC, 0);
        if (root == -1)
            throw new IOException($"open {ImageStore.RootfsIn(_temp)}: {Errno.Name(Marshal.GetLastPInvokeError())}");
        try
        {
            return ImageUnpacker.Unpack(tar, root, limits);
        }
        finally
        {
            Native.Close(root);
        }
    }

    public ImageInfo Commit(UnpackResult result, string format, long nowUnixMs)
    {
        var info = new ImageInfo(Name, result.Bytes, result.Entries, nowUnixMs, result.SetuidStripped, format);
        File.WriteAllText(ImageStore.InfoIn(_temp), info.Serialize());
        _store.Publish(_temp, Name);
        _committed = true;
        return info;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        try
        {
            if (!_committed && Directory.Exists(_temp))
                SafeDelete.Tree(_temp);
        }
        finally
        {
            _store.EndImport(Name);
        }
    }
}
