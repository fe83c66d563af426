using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Snapshots a writable layer through fds: each directory is opened relative to its
/// parent's fd with O_NOFOLLOW|O_DIRECTORY and each entry is lstat'ed relative to its directory,
/// so a symlink, a FIFO, a device or a name like ".." planted by the sandbox is recorded, never
/// followed or opened, and the walk cannot leave the tree or block. Limits bound it.</summary>
public sealed unsafe class LayerWalker
{
    private const int DirentNameOffset = 19; // struct linux_dirent64: ino 8, off 8, reclen 2, type 1
    private const int ReadBufferBytes = 32 * 1024;

    private readonly LayerWalkLimits _limits;
    private readonly Dictionary<string, LayerEntry> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
    private uint _devMajor;
    private uint _devMinor;
    private bool _hitEntryLimit;
    private bool _hitDepthLimit;

    private LayerWalker(LayerWalkLimits limits) => _limits = limits;

    /// <summary>A directory of the host (an image, a test's tree) opened for walking: the last
    /// component may not be a symlink. The path itself is trusted; what is under it is not.</summary>
    public static SafeFileHandle OpenDirectory(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = bytes)
            fd = Native.OpenDirAt(Native.AtCwd, p);
        if (fd == -1)
            throw new IOException($"open directory {path}: {Errno.Name(Marshal.GetLastPInvokeError())}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Throws IOException when the layer's top cannot be read at all; below the top, an
    /// entry that vanishes mid-walk (the sandbox is running) is skipped, its directory left unlisted.</summary>
    public static LayerSnapshot Snapshot(SafeFileHandle layer, LayerWalkLimits limits)
    {
        var walker = new LayerWalker(limits);
        bool added = false;
        try
        {
            layer.DangerousAddRef(ref added);
            walker.WalkTop((int)layer.DangerousGetHandle());
        }
        finally
        {
            if (added)
                layer.DangerousRelease();
            ArrayPool<byte>.Shared.Return(walker._buffer);
        }
        return new LayerSnapshot(walker._entries, walker._listed, walker._hitEntryLimit, walker._hitDepthLimit);
    }

    private void WalkTop(int layerFd)
    {
        byte dot = (byte)'.';
        byte* here = stackalloc byte[] { dot, 0 };
        int fd = Native.OpenDirAt(layerFd, here);
        if (fd == -1)
            throw new IOException($"open the writable layer: {Errno.Name(Marshal.GetLastPInvokeError())}");
        try
        {
            Native.SbxFileStat st;
            byte empty = 0;
            if (Native.StatAt(fd, &empty, &st) == -1)
                throw new IOException($"stat the writable layer: {Errno.Name(Marshal.GetLastPInvokeError())}");
            // Entries on another filesystem are recorded, never entered (no mount is expected there).
            (_devMajor, _devMinor) = (st.DevMajor, st.DevMinor);
            ListDirectory(fd, "", 0);
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>Records the entries of the directory open as fd (whose path is prefix), then
    /// walks its subdirectories. Marks it listed only if everything in it was recorded.</summary>
    private void ListDirectory(int fd, string prefix, int depth)
    {
        var names = ReadNames(fd, out bool readAll);
        bool complete = readAll;
        foreach (var name in names)
        {
            if (_entries.Count >= _limits.MaxEntries)
            {
                _hitEntryLimit = true;
                return;
            }
            complete &= Record(fd, name, prefix, depth);
        }
        if (complete)
            _listed.Add(prefix);
    }

    /// <summary>False when the entry's own contents could not all be recorded.</summary>
    private bool Record(int dirFd, byte[] name, string prefix, int depth)
    {
        Native.SbxFileStat st;
        fixed (byte* n = name)
        {
            if (Native.StatAt(dirFd, n, &st) == -1)
                return false; // gone since it was listed: this directory's listing is stale
            var path = prefix + "/" + EntryNames.Display(name.AsSpan(0, name.Length - 1));
            var entry = LayerEntry.From(st);
            if (!_entries.TryAdd(path, entry) || entry.Type != LayerEntryType.Directory)
                return true;
            if (st.DevMajor != _devMajor || st.DevMinor != _devMinor)
                return true;
            if (depth + 1 >= _limits.MaxDepth)
            {
                _hitDepthLimit = true;
                return true; // this directory is listed; the one below is not (Knows says so)
            }
            // O_NOFOLLOW|O_DIRECTORY: if the sandbox swapped it for a symlink since the stat, this fails.
            int child = Native.OpenDirAt(dirFd, n);
            if (child == -1)
                return true;
            try
            {
                ListDirectory(child, path, depth + 1);
            }
            finally
            {
                Native.Close(child);
            }
            return true;
        }
    }

    /// <summary>The directory's names, NUL-terminated, without "." and "..": at most as many as
    /// the entry limit leaves room for. readAll is false when it stopped early.</summary>
    private List<byte[]> ReadNames(int fd, out bool readAll)
    {
        var names = new List<byte[]>();
        int room = _limits.MaxEntries - _entries.Count;
        readAll = true;
        fixed (byte* buf = _buffer)
        {
            while (true)
            {
                int n = Native.ReadDirEntries(fd, buf, (uint)_buffer.Length);
                if (n == 0)
                    return names;
                if (n < 0)
                {
                    readAll = false;
                    return names;
                }
                for (int at = 0; at < n;)
                {
                    ushort recordLength = *(ushort*)(buf + at + 16);
                    var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf + at + DirentNameOffset);
                    at += recordLength;
                    if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                        continue;
                    if (names.Count >= room)
                    {
                        readAll = false;
                        _hitEntryLimit = true;
                        return names;
                    }
                    var copy = new byte[name.Length + 1];
                    name.CopyTo(copy);
                    names.Add(copy);
                }
            }
        }
    }
}
