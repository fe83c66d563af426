using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Isolation.Images;

/// <summary>The host's imported images: STATE/images/NAME/rootfs (the overlay's lower dir) and
/// NAME/image.info beside it. The built-in image is STATE/images/default, so that name is
/// reserved. An import unpacks into STATE/images/.import-* (same filesystem, 0700) and becomes
/// NAME by one rename only once the whole archive was good; a remove renames NAME to
/// .remove-* first, so no half image is ever visible under a name. What a crash leaves of either
/// is removed at the next start. Images are per host and shared by every tenant.</summary>
public sealed partial class ImageStore
{
    public const string DefaultName = "default";
    private const string RootfsDir = "rootfs", InfoFile = "image.info";
    private const string ImportPrefix = ".import-", RemovePrefix = ".remove-";

    private readonly object _lock = new();
    private readonly HashSet<string> _importing = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _uses = new(StringComparer.Ordinal);

    public ImageStore(string stateDir)
    {
        Root = Path.Combine(Path.GetFullPath(stateDir), "images");
        TraversablePath.Own(stateDir, "images");
    }

    /// <summary>STATE/images.</summary>
    public string Root { get; }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();

    /// <summary>Lowercase letters, digits, '.', '_', '-'; at most 63; not the built-in's name.
    /// Such a name is safe in a path and in overlayfs options (no ',' ':' '/').</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name) && name != DefaultName;

    public IReadOnlyList<ImageInfo> List()
    {
        lock (_lock)
            return Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>()
                .Where(n => IsValidName(n) && Directory.Exists(Path.Combine(Root, n, RootfsDir)))
                .Select(Info).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
    }

    private ImageInfo Info(string name)
    {
        var file = Path.Combine(Root, name, InfoFile);
        return ImageInfo.Parse(name, File.Exists(file) ? File.ReadAllText(file) : null);
    }

    public bool Exists(string name) => IsValidName(name) && Directory.Exists(Path.Combine(Root, name, RootfsDir));

    /// <summary>The image's rootfs, held against removal until the returned use is disposed (a
    /// create keeps it until its sandbox is live, after which the sandbox itself counts as a user).</summary>
    public IDisposable Use(string name, out string rootfs)
    {
        lock (_lock)
        {
            if (!Exists(name))
                throw new ImageNotFoundException(name);
            _uses[name] = _uses.GetValueOrDefault(name) + 1;
        }
        rootfs = Path.Combine(Root, name, RootfsDir);
        return new Release(() =>
        {
            lock (_lock)
                if (--_uses[name] == 0)
                    _uses.Remove(name);
        });
    }

    /// <summary>A temporary directory for name's archive; ImageExistsException when the name
    /// is taken or another import of it is under way.</summary>
    public ImageImport BeginImport(string name)
    {
        lock (_lock)
        {
            if (Exists(name) || !_importing.Add(name))
                throw new ImageExistsException(name);
        }
        try
        {
            var temp = Path.Combine(Root, ImportPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
            Directory.CreateDirectory(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(Path.Combine(temp, RootfsDir));
            File.SetUnixFileMode(Path.Combine(temp, RootfsDir), (UnixFileMode)0x1ED);
            return new ImageImport(this, name, temp);
        }
        catch
        {
            EndImport(name);
            throw;
        }
    }

    internal void EndImport(string name)
    {
        lock (_lock)
            _importing.Remove(name);
    }

    /// <summary>Renames the finished temp dir to its name; never over an existing one.</summary>
    internal void Publish(string temp, string name)
    {
        File.SetUnixFileMode(temp, (UnixFileMode)0x1C9); // 0711: sandboxes' ids reach the rootfs, nobody lists
        lock (_lock)
            Rename(temp, Path.Combine(Root, name));
    }

    internal static string RootfsIn(string dir) => Path.Combine(dir, RootfsDir);

    internal static string InfoIn(string dir) => Path.Combine(dir, InfoFile);

    /// <summary>False when there was no such image. inUseBy names a live user of the image (a
    /// sandbox, the warm pool) or returns null; checked under the same lock creates take it with.</summary>
    public bool Remove(string name, Func<string, string?> inUseBy)
    {
        string doomed;
        lock (_lock)
        {
            if (!Exists(name))
                return false;
            if (_uses.ContainsKey(name))
                throw new ImageInUseException(name, "a create under way");
            if (inUseBy(name) is { } user)
                throw new ImageInUseException(name, user);
            doomed = Path.Combine(Root, RemovePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
            Rename(Path.Combine(Root, name), doomed);
        }
        SafeDelete.Tree(doomed);
        return true;
    }

    /// <summary>At start: what an import or remove cut short by a crash left.</summary>
    public int SweepLeftovers()
    {
        int swept = 0;
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var name = Path.GetFileName(dir);
            if (!name.StartsWith(ImportPrefix, StringComparison.Ordinal) && !name.StartsWith(RemovePrefix, StringComparison.Ordinal))
                continue;
            SafeDelete.Tree(dir);
            swept++;
        }
        return swept;
    }

    private static unsafe void Rename(string from, string to)
    {
        fixed (byte* f = System.Text.Encoding.UTF8.GetBytes(from + "\0"))
        fixed (byte* t = System.Text.Encoding.UTF8.GetBytes(to + "\0"))
        {
            if (Interop.Native.Renameat2(Interop.Native.AtCwd, f, Interop.Native.AtCwd, t, Interop.Native.RENAME_NOREPLACE) == -1)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new IOException($"rename {from} to {to}: {Errno.Name(errno)}");
            }
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
                release();
        }
    }
}
