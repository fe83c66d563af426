using System.Text;
using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Finds a path of the sandbox in its read-only image (the overlay's lower dir), to tell
/// a copy-up (an image file changed) from a new file. The path comes from the sandbox, so it is
/// resolved one component at a time from the image's fd, never following a symlink: a component
/// that is a symlink in the image means the path is not there (overlayfs would have followed it,
/// so nothing of the writable layer lies under it).</summary>
public sealed unsafe class ImageLookup : IDisposable
{
    private readonly SafeFileHandle _root;

    /// <summary>Throws IOException when the image cannot be opened.</summary>
    public ImageLookup(string imageDir) => _root = LayerWalker.OpenDirectory(imageDir);

    /// <summary>The image's entry at path ("/etc/hosts"), or null when the image has none.</summary>
    public LayerEntry? Find(string path)
    {
        if (EntryNames.IsEscaped(path))
            return null; // a name no image of ours holds; its bytes are not recoverable from the text
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            return null;
        bool added = false;
        var opened = new List<int>();
        try
        {
            _root.DangerousAddRef(ref added);
            int dir = (int)_root.DangerousGetHandle();
            for (int i = 0; i < parts.Length - 1; i++)
            {
                dir = Open(dir, parts[i]);
                if (dir == -1)
                    return null;
                opened.Add(dir);
            }
            return Stat(dir, parts[^1]);
        }
        finally
        {
            foreach (var fd in opened)
                Native.Close(fd);
            if (added)
                _root.DangerousRelease();
        }
    }

    private static int Open(int dir, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* n = bytes)
            return Native.OpenDirAt(dir, n);
    }

    private static LayerEntry? Stat(int dir, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name + "\0");
        Native.SbxFileStat st;
        fixed (byte* n = bytes)
            return Native.StatAt(dir, n, &st) == 0 ? LayerEntry.From(st) : null;
    }

    public void Dispose() => _root.Dispose();
}
