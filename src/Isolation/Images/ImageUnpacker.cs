using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Images;

/// <summary>Unpacks a tar stream into a directory the daemon made for it, entry by entry, each
/// written by *at calls on its parent directory's fd. That parent is opened from the image's root
/// fd with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV), so the kernel, not a
/// string check, keeps every write inside the image: an entry through a symlink the archive made
/// before it fails with ELOOP however its name is spelled. The last component is created with
/// O_EXCL / O_NOFOLLOW (a name already there that is not a directory is removed first, as tar
/// does), so no entry writes through a link either.
///
/// The tar layer is System.Formats.Tar's reader: it gives each entry's type (SharpCompress's tar
/// reader does not say whether an entry is a hard link, a device or a FIFO, which is what the
/// safety rules are about). Refused, naming the entry: absolute names and ".." components (never
/// rewritten into something else), a path through a symlink, device nodes (the sandbox has its
/// own minimal /dev and the overlay is nodev, so a device in an image is never wanted), hard
/// links to anything the image does not already hold (or to a directory), sparse and other
/// unknown entry types. FIFOs are made (harmless: overlayfs serves them as FIFOs). setuid and
/// setgid bits of files are removed unless the config keeps them (the sandbox's root is nosuid
/// anyway); a directory's setgid (group inheritance) is kept.</summary>
public sealed unsafe class ImageUnpacker
{
    private const ulong Resolve = Native.RESOLVE_BENEATH | Native.RESOLVE_NO_SYMLINKS | Native.RESOLVE_NO_MAGICLINKS | Native.RESOLVE_NO_XDEV;
    private const int ParentFlags = Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC;
    private const uint SetId = 0xC00; // S_ISUID | S_ISGID
    private const int BufferSize = 128 << 10;

    private readonly int _root;
    private readonly ImageLimits _limits;
    private readonly byte[] _buffer = new byte[BufferSize];
    private string? _parentPath;
    private int _parentFd = -1;
    private long _bytes, _entries, _stripped;
    private string? _entry;

    private ImageUnpacker(int root, ImageLimits limits)
    {
        _root = root;
        _limits = limits;
    }

    /// <summary>Unpacks tar into the directory open as rootFd (O_RDONLY | O_DIRECTORY). Throws
    /// <see cref="ImageImportException"/> naming the entry; what was written stays for the caller
    /// to remove (it unpacks into a temporary directory).</summary>
    public static UnpackResult Unpack(Stream tar, int rootFd, ImageLimits limits)
    {
        var unpacker = new ImageUnpacker(rootFd, limits);
        try
        {
            unpacker.Run(tar);
        }
        catch (Exception e) when (e is not ImageImportException and not OutOfMemoryException)
        {
            // The decoders and the tar reader throw their own types (InvalidDataException,
            // EndOfStreamException, SharpCompress's and zstd's): all mean a broken archive.
            throw new ImageImportException(ImageImportError.Broken, unpacker._entry,
                (unpacker._entry is null ? "" : "the archive broke at or after this entry: ") + e.Message);
        }
        finally
        {
            unpacker.CloseParent();
        }
        return new UnpackResult(unpacker._bytes, unpacker._entries, unpacker._stripped);
    }

    private void Run(Stream tar)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            _entry = entry.Name;
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
                continue;
            if (++_entries > _limits.MaxEntries)
                throw Refused(ImageImportError.TooLarge, $"more than {_limits.MaxEntries} entries (the images.maxEntries cap)");
            var parts = Components(entry.Name);
            if (parts.Length == 0)
            {
                if (entry.EntryType != TarEntryType.Directory)
                    throw Refused(ImageImportError.Unsafe, "names the image's root but is not a directory");
                Check(Native.Fchmod(_root, (uint)entry.Mode & 0xFFF), "chmod");
                Check(Native.Fchown(_root, (uint)entry.Uid, (uint)entry.Gid), "chown");
                continue;
            }
            int parent = OpenParent(parts);
            var name = Utf8z(parts[^1]);
            fixed (byte* n = name)
                Create(entry, parent, n);
        }
    }

    private void Create(TarEntry entry, int parent, byte* name)
    {
        uint uid = (uint)entry.Uid, gid = (uint)entry.Gid;
        uint mode = (uint)entry.Mode & 0xFFF;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                MakeDirectory(parent, name, mode, uid, gid);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                WriteFile(entry, parent, name, StripSetId(mode), uid, gid);
                break;
            case TarEntryType.SymbolicLink:
                if (entry.LinkName.Length == 0 || entry.LinkName.Contains('\0', StringComparison.Ordinal))
                    throw Refused(ImageImportError.Unsafe, "a symlink with an empty or NUL-holding target");
                ReplaceNonDirectory(parent, name);
                fixed (byte* target = Utf8z(entry.LinkName))
                    Check(Native.SymlinkAt(target, parent, name), "symlink");
                Check(Native.FchownAt(parent, name, uid, gid, Native.AT_SYMLINK_NOFOLLOW), "chown");
                break;
            case TarEntryType.HardLink:
                HardLink(entry.LinkName, parent, name);
                break;
            case TarEntryType.Fifo:
                ReplaceNonDirectory(parent, name);
                Check(Native.MkfifoAt(parent, name, mode & 0x1FF), "mkfifo");
                Check(Native.FchownAt(parent, name, uid, gid, Native.AT_SYMLINK_NOFOLLOW), "chown");
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                throw Refused(ImageImportError.Unsafe,
                    $"a device node ({(entry.EntryType == TarEntryType.CharacterDevice ? "char" : "block")} {DeviceOf(entry)}): images may not hold devices " +
                    "(every sandbox gets its own minimal /dev); remove it from the archive");
            default:
                throw Refused(ImageImportError.Unsafe, $"entry type {entry.EntryType} is not unpacked (files, directories, symlinks, hard links and FIFOs are)");
        }
    }

    private static string DeviceOf(TarEntry entry) => entry is PosixTarEntry p ? $"{p.DeviceMajor}:{p.DeviceMinor}" : "?";

    private uint StripSetId(uint mode)
    {
        if ((mode & SetId) == 0 || _limits.KeepSetuid)
            return mode;
        _stripped++;
        return mode & ~SetId;
    }

    private void MakeDirectory(int parent, byte* name, uint mode, uint uid, uint gid)
    {
        if (Native.MkdirAt(parent, name, 0x1C0) == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EEXIST || !IsDirectory(parent, name))
                throw Failed("mkdir", errno == Errno.EEXIST ? Errno.ENOTDIR : errno);
        }
        // Ownership before mode: chown clears setuid/setgid bits.
        Check(Native.FchownAt(parent, name, uid, gid, Native.AT_SYMLINK_NOFOLLOW), "chown");
        Check(Native.FchmodAt(parent, name, mode), "chmod");
    }

    private void WriteFile(TarEntry entry, int parent, byte* name, uint mode, uint uid, uint gid)
    {
        if (entry.Length > _limits.MaxBytes - _bytes)
            throw TooLarge(entry.Length);
        ReplaceNonDirectory(parent, name);
        int fd = Native.OpenAt(parent, name, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW | Native.O_CLOEXEC, 0x180);
        if (fd == -1)
            throw Failed("create", Marshal.GetLastPInvokeError());
        try
        {
            long copied = 0;
            if (entry.DataStream is { } data)
            {
                int n;
                while ((n = data.Read(_buffer, 0, _buffer.Length)) > 0)
                {
                    copied += n;
                    _bytes += n;
                    if (_bytes > _limits.MaxBytes)
                        throw TooLarge(copied);
                    WriteAll(fd, n);
                }
            }
            if (copied != entry.Length)
                throw Refused(ImageImportError.Broken, $"truncated: the archive ends after {copied} of its {entry.Length} bytes");
            Check(Native.Fchown(fd, uid, gid), "chown");
            Check(Native.Fchmod(fd, mode), "chmod");
            Native.Futimens(fd, entry.ModificationTime.ToUnixTimeSeconds());
        }
        finally
        {
            Native.Close(fd);
        }
    }

    private void WriteAll(int fd, int count)
    {
        fixed (byte* b = _buffer)
        {
            int done = 0;
            while (done < count)
            {
                var n = Native.Write(fd, b + done, count - done);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                        continue;
                    throw Failed("write", errno);
                }
                done += (int)n;
            }
        }
    }

    /// <summary>A hard link names an entry already unpacked: its path is resolved beneath the
    /// image's root like any other (no "..", no absolute name, no symlink on the way) and the
    /// target itself is linked, never followed.</summary>
    private void HardLink(string target, int parent, byte* name)
    {
        string[] parts;
        try
        {
            parts = Components(target);
        }
        catch (ImageImportException)
        {
            throw Refused(ImageImportError.Unsafe, $"a hard link to '{target}', outside the image");
        }
        if (parts.Length == 0)
            throw Refused(ImageImportError.Unsafe, "a hard link to the image's root");
        int targetDir = OpenExisting(parts[..^1]);
        if (targetDir == -1)
            throw Refused(ImageImportError.Unsafe, $"a hard link to '{target}', which is not in the image");
        try
        {
            fixed (byte* t = Utf8z(parts[^1]))
            {
                Native.Statx st;
                if (Native.StatxAt(targetDir, t, Native.AT_SYMLINK_NOFOLLOW, Native.STATX_BASIC_STATS, &st) == -1)
                    throw Refused(ImageImportError.Unsafe, $"a hard link to '{target}', which is not in the image");
                if ((st.Mode & 0xF000) == 0x4000)
                    throw Refused(ImageImportError.Unsafe, $"a hard link to '{target}', a directory");
                ReplaceNonDirectory(parent, name);
                Check(Native.LinkAt(targetDir, t, parent, name), "link");
            }
        }
        finally
        {
            Native.Close(targetDir);
        }
    }

    /// <summary>A later entry of the same name wins, as with tar; a directory is never replaced.</summary>
    private void ReplaceNonDirectory(int parent, byte* name)
    {
        if (Native.UnlinkAt(parent, name, 0) == 0)
            return;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errno.ENOENT)
            return;
        throw errno == 21 /* EISDIR */ ? Refused(ImageImportError.Unsafe, "a directory of this name is already in the image") : Failed("unlink", errno);
    }

    private static bool IsDirectory(int parent, byte* name)
    {
        Native.Statx st;
        return Native.StatxAt(parent, name, Native.AT_SYMLINK_NOFOLLOW, Native.STATX_BASIC_STATS, &st) == 0 && (st.Mode & 0xF000) == 0x4000;
    }

    /// <summary>The entry's parent directory, made (0755, root's) where the archive has no entry
    /// for it. The last one is kept open: archives list a directory's entries together.</summary>
    private int OpenParent(string[] parts)
    {
        var path = string.Join('/', parts, 0, parts.Length - 1);
        if (path == _parentPath)
            return _parentFd;
        CloseParent();
        int fd = Native.Dup(_root);
        foreach (var part in parts.AsSpan(0, parts.Length - 1))
        {
            fixed (byte* p = Utf8z(part))
            {
                if (Native.MkdirAt(fd, p, 0x1ED) == -1 && Marshal.GetLastPInvokeError() is var e && e != Errno.EEXIST)
                {
                    Native.Close(fd);
                    throw Failed($"mkdir '{part}'", e);
                }
                int next = OpenBeneath(fd, p);
                int errno = Marshal.GetLastPInvokeError();
                Native.Close(fd);
                if (next == -1)
                    throw errno == Errno.ELOOP
                        ? Refused(ImageImportError.Unsafe, $"its parent '{part}' is a symlink: nothing is unpacked through one")
                        : Failed($"open parent '{part}'", errno);
                fd = next;
            }
        }
        _parentPath = path;
        _parentFd = fd;
        return fd;
    }

    /// <summary>An existing directory of the image, or -1.</summary>
    private int OpenExisting(string[] dirs)
    {
        if (dirs.Length == 0)
            return Native.Dup(_root);
        fixed (byte* p = Utf8z(string.Join('/', dirs)))
            return OpenBeneath(_root, p);
    }

    private static int OpenBeneath(int dir, byte* path)
    {
        var how = new Native.OpenHow { Flags = ParentFlags, Resolve = Resolve };
        int fd;
        do
            fd = Native.Openat2(dir, path, &how);
        while (fd == -1 && Marshal.GetLastPInvokeError() == 11 /* EAGAIN: a rename raced the lookup */);
        return fd;
    }

    private void CloseParent()
    {
        if (_parentFd != -1)
            Native.Close(_parentFd);
        _parentFd = -1;
        _parentPath = null;
    }

    /// <summary>The name's components; "./" and empty ones dropped, nothing else rewritten.</summary>
    private string[] Components(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
            throw Refused(ImageImportError.Unsafe, "the name holds a NUL");
        if (name.StartsWith('/'))
            throw Refused(ImageImportError.Unsafe, "an absolute name: entries are relative to the image's root");
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains(".."))
            throw Refused(ImageImportError.Unsafe, "a '..' component: entries stay inside the image");
        return parts;
    }

    private ImageImportException TooLarge(long entryBytes) => Refused(ImageImportError.TooLarge,
        $"past the images.maxBytes cap of {_limits.MaxBytes} bytes unpacked (this entry: {entryBytes} bytes)");

    private ImageImportException Refused(ImageImportError error, string problem) => new(error, _entry, problem);

    private ImageImportException Failed(string step, int errno) => new(ImageImportError.Broken, _entry, $"{step}: {Errno.Name(errno)}");

    private void Check(int result, string step)
    {
        if (result == -1)
            throw Failed(step, Marshal.GetLastPInvokeError());
    }

    private static byte[] Utf8z(string s) => Encoding.UTF8.GetBytes(s + "\0");
}
