using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Files of one running sandbox, reached through a handle on its root and resolved by
/// the kernel inside it: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from that handle, so
/// ".." stops at the sandbox's "/", an absolute symlink means the sandbox's "/", and
/// /proc/self/root-style magic links are refused. Calls on a path's last component are *at
/// calls on its resolved parent that never follow it (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW,
/// RENAME_NOREPLACE), and a file is opened for data only after an O_PATH open and an fstat of
/// that very inode said it is a regular file (then reopened through /proc/self/fd), so a FIFO or
/// a device is never opened. RESOLVE_NO_XDEV is not used: the sandbox's /tmp is a mount of its own.
///
/// The root handle: the root exists only in the sandbox's mount namespace, so it is
/// /proc/&lt;init&gt;/root opened O_PATH. Race safety: the pidfd was opened at launch, when the pid
/// was certainly our unreaped child; init is reaped only by Destroy, so while the pidfd says
/// "not exited" after the open, the pid cannot have been reused during it and the handle is this
/// sandbox's root (a later destroy leaves the handle on a detached tree, never another's).
///
/// Each call runs as a user of the sandbox: setfsuid/setfsgid (per thread) to the host ids that
/// user maps to, around the synchronous syscalls only, so new files are that user's and
/// permissions are checked as for that user.</summary>
public sealed unsafe class SandboxFiles : IDisposable
{
    private const uint Overflow = 65534;
    private const ulong Resolve = Native.RESOLVE_IN_ROOT | Native.RESOLVE_NO_MAGICLINKS;
    private readonly SafeFileHandle _root;
    private readonly uint? _rangeBase;
    private readonly uint _hostUid, _hostGid;

    private SandboxFiles(SafeFileHandle root, uint? rangeBase, uint uid, uint gid)
    {
        _root = root;
        _rangeBase = rangeBase;
        _hostUid = (rangeBase ?? 0) + uid;
        _hostGid = (rangeBase ?? 0) + gid;
    }

    /// <summary>The sandbox's root as its init sees it, for calls as (uid, gid) inside.</summary>
    public static SandboxFiles Open(LaunchedSandbox sandbox, uint uid, uint gid)
    {
        bool added = false;
        var pidfd = sandbox.Pidfd;
        try
        {
            pidfd.DangerousAddRef(ref added);
            var path = Encoding.UTF8.GetBytes($"/proc/{sandbox.InitPid.ToString(CultureInfo.InvariantCulture)}/root\0");
            int fd;
            fixed (byte* p = path)
                fd = Native.Open(p, Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
            if (fd < 0)
                throw new SandboxSetupException("open the sandbox's root", Marshal.GetLastPInvokeError());
            var root = new SafeFileHandle(fd, ownsHandle: true);
            var poll = new Native.PollFd { Fd = (int)pidfd.DangerousGetHandle(), Events = Native.POLLIN };
            if (poll.Fd < 0 || Native.Poll(&poll, 1, 0) != 0)
            {
                root.Dispose();
                throw new SandboxSetupException("the sandbox's init has exited");
            }
            return new SandboxFiles(root, sandbox.IdRangeBase, uid, gid);
        }
        catch (ObjectDisposedException)
        {
            throw new SandboxSetupException("the sandbox is being destroyed");
        }
        finally
        {
            if (added)
                pidfd.DangerousRelease();
        }
    }

    public void Dispose() => _root.Dispose();

    private int Root => (int)_root.DangerousGetHandle();

    // ---- identity ----

    /// <summary>Until Leave, on this thread: the caller's host ids. No await in between.</summary>
    private void Enter()
    {
        Native.SetFsGid(_hostGid);
        Native.SetFsUid(_hostUid);
    }

    private static void Leave()
    {
        Native.SetFsUid(0);
        Native.SetFsGid(0);
    }

    private uint Inside(uint hostId) => _rangeBase is { } b ? (hostId >= b && hostId - b < 65536 ? hostId - b : Overflow) : hostId;

    // ---- paths ----

    /// <summary>The path relative to the sandbox's "/", NUL-terminated ("." for the root).</summary>
    private static byte[] Relative(string field, string path)
    {
        if (string.IsNullOrEmpty(path))
            throw new ArgumentException($"{field}: must not be empty");
        if (path.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"{field}: contains NUL");
        if (path.Length > 4000)
            throw new ArgumentException($"{field}: longer than 4000 characters");
        var rel = path.TrimStart('/');
        return Encoding.UTF8.GetBytes((rel.Length == 0 ? "." : rel) + "\0");
    }

    /// <summary>(parent, last component) of a path that names something other than the root.</summary>
    private static (string Parent, string Name) Split(string field, string path)
    {
        Relative(field, path);
        var trimmed = path.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        var name = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        if (name is "" or "." or "..")
            throw new ArgumentException($"{field}: '{path}' names no entry (the root, or a path ending in . or ..)");
        var parent = slash <= 0 ? "/" : trimmed[..slash];
        return (parent, name);
    }

    private static byte[] Z(string name) => Encoding.UTF8.GetBytes(name + "\0");

    private int OpenIn(string shown, byte[] rel, int flags, uint mode = 0)
    {
        var how = new Native.OpenHow { Flags = (ulong)(flags | Native.O_CLOEXEC), Mode = mode, Resolve = Resolve };
        int fd;
        fixed (byte* p = rel)
        {
            do
                fd = Native.Openat2(Root, p, &how);
            while (fd < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        }
        if (fd < 0)
            throw Failure(shown, Marshal.GetLastPInvokeError());
        return fd;
    }

    private int OpenDir(string shown, string path, bool path_only = true) =>
        OpenIn(shown, Relative("path", path), (path_only ? Native.O_PATH : Native.O_RDONLY) | Native.O_DIRECTORY);

    private static SandboxFileException Failure(string path, int errno) => errno switch
    {
        Errno.ELOOP => new SandboxFileException(path, errno, "a symlink that is not followed here, or a /proc magic link"),
        18 => new SandboxFileException(path, errno, "crosses a mount, or moves a directory of the image"),
        _ => new SandboxFileException(path, errno),
    };

    private static void Check(string path, int result)
    {
        if (result < 0)
            throw Failure(path, Marshal.GetLastPInvokeError());
    }

    // ---- stat ----

    private SandboxFileInfo StatAt(string shown, string listedPath, int dirFd, byte[] name)
    {
        Native.Statx st;
        fixed (byte* n = name)
            Check(shown, Native.StatxAt(dirFd, n, Native.AT_SYMLINK_NOFOLLOW | (name[0] == 0 ? Native.AT_EMPTY_PATH : 0),
                Native.STATX_BASIC_STATS, &st));
        var type = SandboxFileInfo.TypeOf(st.Mode);
        string target = "";
        if (type == SandboxFileType.Symlink)
        {
            var buf = new byte[4096];
            fixed (byte* n = name)
            fixed (byte* b = buf)
            {
                var len = Native.ReadlinkAt(dirFd, n, b, buf.Length);
                if (len > 0)
                    target = Encoding.UTF8.GetString(buf, 0, (int)len);
            }
        }
        return new SandboxFileInfo(listedPath, type, st.Size, st.Mode & 0xFFFu, Inside(st.Uid), Inside(st.Gid),
            st.MtimeSec * 1_000_000_000 + st.MtimeNsec, target);
    }

    /// <summary>The entry itself: a symlink is reported, not followed.</summary>
    public SandboxFileInfo Stat(string path)
    {
        Enter();
        try
        {
            if (path.Trim('/').Length == 0 && path.Length > 0)
                return StatAt(path, path, Root, [0]);
            var (parent, name) = Split("path", path);
            int dir = OpenDir(path, parent);
            try
            {
                return StatAt(path, path, dir, Z(name));
            }
            finally
            {
                Native.Close(dir);
            }
        }
        finally
        {
            Leave();
        }
    }

    // ---- list ----

    /// <summary>Entries under a directory down to depth levels, paths relative to it. Symlinked
    /// directories are listed, never entered; so are mounts below (not crossed).</summary>
    public List<SandboxFileInfo> List(string path, int depth, int maxEntries)
    {
        Enter();
        try
        {
            int dir = OpenDir(path, path, path_only: false);
            var entries = new List<SandboxFileInfo>();
            try
            {
                ListInto(path, dir, "", depth, maxEntries, entries);
            }
            finally
            {
                Native.Close(dir);
            }
            return entries;
        }
        finally
        {
            Leave();
        }
    }

    private void ListInto(string shown, int dir, string prefix, int depth, int max, List<SandboxFileInfo> into)
    {
        foreach (var name in Names(shown, dir))
        {
            if (into.Count >= max)
                throw new SandboxFileException(shown, $"more than {max} entries; list with a smaller depth");
            var entry = StatAt(shown, prefix + name, dir, Z(name));
            into.Add(entry);
            if (depth > 1 && entry.Type == SandboxFileType.Directory)
            {
                int child;
                fixed (byte* n = Z(name))
                    child = Native.OpenDirAt(dir, n);
                if (child < 0)
                    continue; // gone meanwhile, or not ours to read: listed, not entered
                try
                {
                    ListInto(shown, child, prefix + name + "/", depth - 1, max, into);
                }
                finally
                {
                    Native.Close(child);
                }
            }
        }
    }

    /// <summary>A directory's names (no "." or "..") from getdents64 on an open directory fd.</summary>
    internal static List<string> Names(string shown, int dir)
    {
        var names = new List<string>();
        var buffer = new byte[32768];
        fixed (byte* buf = buffer)
        {
            while (true)
            {
                int n = Native.ReadDirEntries(dir, buf, (uint)buffer.Length);
                if (n == 0)
                    return names;
                if (n < 0)
                    throw Failure(shown, Marshal.GetLastPInvokeError());
                for (int at = 0; at < n;)
                {
                    ushort length = *(ushort*)(buf + at + 16);
                    var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf + at + 19);
                    at += length;
                    if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                        names.Add(Encoding.UTF8.GetString(name));
                }
            }
        }
    }

    // ---- make, move, remove ----

    public SandboxFileInfo MakeDir(string path, bool parents, uint mode)
    {
        Enter();
        try
        {
            if (parents)
                MakeDirs(path, mode);
            else
            {
                var (parent, name) = Split("path", path);
                int dir = OpenDir(path, parent);
                try
                {
                    fixed (byte* n = Z(name))
                        Check(path, Native.MkdirAt(dir, n, mode));
                }
                finally
                {
                    Native.Close(dir);
                }
            }
            int made = OpenDir(path, path);
            try
            {
                return StatAt(path, path, made, [0]);
            }
            finally
            {
                Native.Close(made);
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Each prefix resolved from the root again, so a component swapped for a symlink
    /// meanwhile still resolves inside the sandbox.</summary>
    private void MakeDirs(string path, uint mode)
    {
        Relative("path", path);
        var prefix = "/";
        foreach (var component in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            int dir = OpenDir(path, prefix);
            try
            {
                if (component is not ("." or ".."))
                {
                    int r;
                    fixed (byte* n = Z(component))
                        r = Native.MkdirAt(dir, n, mode);
                    if (r < 0 && Marshal.GetLastPInvokeError() != Errno.EEXIST)
                        throw Failure(path, Marshal.GetLastPInvokeError());
                }
            }
            finally
            {
                Native.Close(dir);
            }
            prefix = prefix.TrimEnd('/') + "/" + component;
        }
    }

    public SandboxFileInfo Move(string source, string destination, bool overwrite)
    {
        Enter();
        try
        {
            var (fromParent, fromName) = Split("source", source);
            var (toParent, toName) = Split("destination", destination);
            int from = OpenDir(source, fromParent);
            try
            {
                int to = OpenDir(destination, toParent);
                try
                {
                    fixed (byte* f = Z(fromName))
                    fixed (byte* t = Z(toName))
                    {
                        if (Native.Renameat2(from, f, to, t, overwrite ? 0 : Native.RENAME_NOREPLACE) < 0)
                        {
                            int errno = Marshal.GetLastPInvokeError();
                            throw Failure(errno == Errno.EEXIST ? destination : source, errno);
                        }
                    }
                    return StatAt(destination, destination, to, Z(toName));
                }
                finally
                {
                    Native.Close(to);
                }
            }
            finally
            {
                Native.Close(from);
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>How many entries went. Recursive removal never follows a symlink and never
    /// crosses into another mount (EXDEV).</summary>
    public ulong Remove(string path, bool recursive)
    {
        Enter();
        try
        {
            var (parent, name) = Split("path", path);
            int dir = OpenDir(path, parent);
            try
            {
                return RemoveAt(path, dir, name, recursive);
            }
            finally
            {
                Native.Close(dir);
            }
        }
        finally
        {
            Leave();
        }
    }

    private ulong RemoveAt(string shown, int dir, string name, bool recursive)
    {
        var z = Z(name);
        Native.Statx st;
        fixed (byte* n = z)
            Check(shown, Native.StatxAt(dir, n, Native.AT_SYMLINK_NOFOLLOW, Native.STATX_BASIC_STATS, &st));
        ulong removed = 0;
        bool isDir = SandboxFileInfo.TypeOf(st.Mode) == SandboxFileType.Directory;
        if (isDir && recursive)
        {
            int child;
            fixed (byte* n = z)
                child = Native.OpenDirAt(dir, n);
            if (child < 0)
                throw Failure(shown, Marshal.GetLastPInvokeError());
            try
            {
                Native.Statx self;
                byte empty = 0;
                Check(shown, Native.StatxAt(child, &empty, Native.AT_EMPTY_PATH, Native.STATX_BASIC_STATS, &self));
                if (self.DevMajor != st.DevMajor || self.DevMinor != st.DevMinor || self.Inode != st.Inode)
                    throw new SandboxFileException(shown, 18, "a mount point or a directory replaced meanwhile; not removed");
                foreach (var entry in Names(shown, child))
                    removed += RemoveAt(shown, child, entry, recursive);
            }
            finally
            {
                Native.Close(child);
            }
        }
        fixed (byte* n = z)
            Check(shown, Native.UnlinkAt(dir, n, isDir ? Native.AT_REMOVEDIR : 0));
        return removed + 1;
    }

    // ---- data ----

    /// <summary>A regular file open for reading; the final symlink, if any, resolved inside the root.</summary>
    public SafeFileHandle OpenRead(string path, out ulong size)
    {
        Enter();
        try
        {
            int opath = OpenIn(path, Relative("path", path), Native.O_PATH);
            try
            {
                var info = StatAt(path, path, opath, [0]);
                if (info.Type != SandboxFileType.Regular)
                    throw new SandboxFileException(path, SandboxFileInfo.Describe(info.Type) + ", not a regular file");
                size = info.Size;
                return Reopen(path, opath, Native.O_RDONLY);
            }
            finally
            {
                Native.Close(opath);
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>A regular file open for writing, made (as the caller, with mode) when missing,
    /// else truncated unless append. The last component is never followed.</summary>
    public SafeFileHandle OpenWrite(string path, uint mode, bool createParents, bool append, out bool created)
    {
        created = false;
        Enter();
        try
        {
            var (parent, name) = Split("path", path);
            if (createParents)
                MakeDirs(parent, 0x1ED /* 0755 */);
            int dir = OpenDir(path, parent);
            try
            {
                var z = Z(name);
                int fd;
                fixed (byte* n = z)
                    fd = Native.OpenAt(dir, n, Native.O_WRONLY | Native.O_CREAT | Native.O_EXCL | Native.O_NOFOLLOW | Native.O_CLOEXEC, mode);
                if (fd >= 0)
                {
                    Native.Fchmod(fd, mode); // the daemon's umask does not apply
                    created = true;
                    return new SafeFileHandle(fd, ownsHandle: true);
                }
                if (Marshal.GetLastPInvokeError() != Errno.EEXIST)
                    throw Failure(path, Marshal.GetLastPInvokeError());
                int opath;
                fixed (byte* n = z)
                    opath = Native.OpenAt(dir, n, Native.O_PATH | Native.O_NOFOLLOW | Native.O_CLOEXEC, 0);
                if (opath < 0)
                    throw Failure(path, Marshal.GetLastPInvokeError());
                try
                {
                    var info = StatAt(path, path, opath, [0]);
                    if (info.Type != SandboxFileType.Regular)
                        throw new SandboxFileException(path, SandboxFileInfo.Describe(info.Type) + ", not a regular file");
                    var handle = Reopen(path, opath, Native.O_WRONLY | (append ? Native.O_APPEND : 0));
                    if (!append)
                        Check(path, Native.Ftruncate((int)handle.DangerousGetHandle(), 0));
                    return handle;
                }
                finally
                {
                    Native.Close(opath);
                }
            }
            finally
            {
                Native.Close(dir);
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>The same inode the O_PATH fd holds, opened for data (permission checked as the caller).</summary>
    private static SafeFileHandle Reopen(string path, int opath, int flags)
    {
        var proc = Encoding.UTF8.GetBytes($"/proc/self/fd/{opath.ToString(CultureInfo.InvariantCulture)}\0");
        int fd;
        fixed (byte* p = proc)
            fd = Native.Open(p, flags | Native.O_NOCTTY | Native.O_NONBLOCK | Native.O_CLOEXEC, 0);
        if (fd < 0)
            throw Failure(path, Marshal.GetLastPInvokeError());
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Bytes read at offset (0 at the end).</summary>
    public static int Read(SafeFileHandle file, string path, Span<byte> into, long offset)
    {
        fixed (byte* p = into)
        {
            while (true)
            {
                var n = Native.Pread((int)file.DangerousGetHandle(), p, into.Length, offset);
                if (n >= 0)
                    return (int)n;
                if (Marshal.GetLastPInvokeError() != Errno.EINTR)
                    throw Failure(path, Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>Cuts an open file back to a length (a failed append's undo).</summary>
    public static void Truncate(SafeFileHandle file, string path, long length) =>
        Check(path, Native.Ftruncate((int)file.DangerousGetHandle(), length));

    public static void Write(SafeFileHandle file, string path, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            byte* p = start;
            nint left = data.Length;
            while (left > 0)
            {
                var n = Native.Write((int)file.DangerousGetHandle(), p, left);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR)
                        continue;
                    throw Failure(path, errno);
                }
                p += n;
                left -= n;
            }
        }
    }

    // ---- watch ----

    /// <summary>An inotify watch (as the caller) on a directory of the sandbox, and with
    /// recursive on every directory below it, each reached from the root again.</summary>
    public SandboxWatch Watch(string path, bool recursive)
    {
        var watch = new SandboxWatch(this, recursive);
        try
        {
            watch.AddTree(path.Trim('/').Length > 0 ? "/" + path.Trim('/') : "/", mustExist: true);
        }
        catch
        {
            watch.Dispose();
            throw;
        }
        return watch;
    }

    /// <summary>inotify_add_watch on a directory resolved inside the root; null when it is gone.</summary>
    internal int? AddWatch(int inotify, string path, uint mask, bool mustExist)
    {
        Enter();
        try
        {
            int fd;
            try
            {
                fd = OpenIn(path, Relative("path", path), Native.O_PATH | Native.O_DIRECTORY | Native.O_NOFOLLOW);
            }
            catch (SandboxFileException) when (!mustExist)
            {
                return null;
            }
            try
            {
                var proc = Encoding.UTF8.GetBytes($"/proc/self/fd/{fd.ToString(CultureInfo.InvariantCulture)}\0");
                int wd;
                fixed (byte* p = proc)
                    wd = Native.InotifyAddWatch(inotify, p, mask);
                if (wd < 0)
                {
                    if (!mustExist)
                        return null;
                    throw Failure(path, Marshal.GetLastPInvokeError());
                }
                return wd;
            }
            finally
            {
                Native.Close(fd);
            }
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>The names of the subdirectories of a directory inside the root (none when it is gone).</summary>
    internal List<string> SubDirectories(string path)
    {
        Enter();
        try
        {
            int fd;
            try
            {
                fd = OpenIn(path, Relative("path", path), Native.O_RDONLY | Native.O_DIRECTORY | Native.O_NOFOLLOW);
            }
            catch (SandboxFileException)
            {
                return [];
            }
            try
            {
                var dirs = new List<string>();
                foreach (var name in Names(path, fd))
                {
                    Native.Statx st;
                    int r;
                    fixed (byte* n = Z(name))
                        r = Native.StatxAt(fd, n, Native.AT_SYMLINK_NOFOLLOW, Native.STATX_BASIC_STATS, &st);
                    if (r == 0 && SandboxFileInfo.TypeOf(st.Mode) == SandboxFileType.Directory)
                        dirs.Add(name);
                }
                return dirs;
            }
            catch (SandboxFileException)
            {
                return [];
            }
            finally
            {
                Native.Close(fd);
            }
        }
        finally
        {
            Leave();
        }
    }
}
