using System.Runtime.InteropServices;
using System.Text;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

public enum WatchKind
{
    Create,
    Modify,
    Delete,
    Move,
    Overflow,
}

/// <summary>One change; paths are absolute inside the sandbox. A move has both paths when
/// both ends are watched, else the one that is ("" for the other).</summary>
public readonly record struct WatchRecord(WatchKind Kind, string Path, string NewPath, bool IsDir);

/// <summary>inotify on directories of one sandbox (its own inodes, reached through its root, so
/// what its mount namespace shows). Recursive watches add each new directory as it appears.</summary>
public sealed unsafe class SandboxWatch : IDisposable
{
    private const uint InModify = 0x2, InCloseWrite = 0x8, InMovedFrom = 0x40, InMovedTo = 0x80, InCreate = 0x100, InDelete = 0x200;
    private const uint InDeleteSelf = 0x400, InMoveSelf = 0x800, InQOverflow = 0x4000, InIgnored = 0x8000;
    private const uint InOnlyDir = 0x1000000, InIsDir = 0x40000000;
    private const uint Mask = InModify | InCloseWrite | InMovedFrom | InMovedTo | InCreate | InDelete | InDeleteSelf | InMoveSelf | InOnlyDir;
    private const int MaxWatches = 100_000;

    private readonly SandboxFiles _files;
    private readonly bool _recursive;
    private readonly int _fd;
    private readonly Dictionary<int, string> _paths = [];

    internal SandboxWatch(SandboxFiles files, bool recursive)
    {
        _files = files;
        _recursive = recursive;
        _fd = Native.InotifyInit1(Native.O_NONBLOCK | Native.O_CLOEXEC);
        if (_fd < 0)
            throw new SandboxFileException("inotify", Marshal.GetLastPInvokeError());
    }

    public void Dispose() => Native.Close(_fd);

    /// <summary>Watches a directory and, when recursive, the directories under it.</summary>
    internal void AddTree(string path, bool mustExist)
    {
        var pending = new Stack<string>();
        pending.Push(path);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            if (_paths.Count >= MaxWatches)
                throw new SandboxFileException(path, $"more than {MaxWatches} directories to watch");
            if (_files.AddWatch(_fd, dir, Mask, mustExist && dir == path) is not { } wd)
                continue;
            _paths[wd] = dir;
            if (!_recursive)
                return;
            foreach (var sub in _files.SubDirectories(dir))
                pending.Push(Join(dir, sub));
        }
    }

    private static string Join(string dir, string name) => dir == "/" ? "/" + name : dir + "/" + name;

    /// <summary>Reads events on this thread until cancelled, handing each to emit.</summary>
    public void Run(Action<WatchRecord> emit, CancellationToken cancel)
    {
        var buffer = new byte[256 * 1024];
        (string Path, uint Cookie, bool IsDir)? movedFrom = null;
        fixed (byte* buf = buffer)
        {
            while (!cancel.IsCancellationRequested)
            {
                var poll = new Native.PollFd { Fd = _fd, Events = Native.POLLIN };
                if (Native.Poll(&poll, 1, 200) <= 0)
                    continue;
                var n = Native.Read(_fd, buf, buffer.Length);
                if (n <= 0)
                    continue;
                for (nint at = 0; at < n;)
                {
                    int wd = *(int*)(buf + at);
                    uint mask = *(uint*)(buf + at + 4);
                    uint cookie = *(uint*)(buf + at + 8);
                    uint len = *(uint*)(buf + at + 12);
                    var name = len == 0 ? "" : Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf + at + 16));
                    at += 16 + (nint)len;
                    bool isDir = (mask & InIsDir) != 0;
                    if ((mask & InQOverflow) != 0)
                    {
                        emit(new WatchRecord(WatchKind.Overflow, "", "", false));
                        continue;
                    }
                    if ((mask & InIgnored) != 0)
                    {
                        _paths.Remove(wd);
                        continue;
                    }
                    if (!_paths.TryGetValue(wd, out var dir))
                        continue;
                    var path = name.Length > 0 ? Join(dir, name) : dir;
                    if (movedFrom is { } from && !((mask & InMovedTo) != 0 && cookie == from.Cookie))
                    {
                        emit(new WatchRecord(WatchKind.Move, from.Path, "", from.IsDir));
                        movedFrom = null;
                    }
                    if ((mask & InMovedFrom) != 0)
                        movedFrom = (path, cookie, isDir);
                    else if ((mask & InMovedTo) != 0)
                    {
                        emit(new WatchRecord(WatchKind.Move, movedFrom?.Path ?? "", path, isDir));
                        movedFrom = null;
                        if (isDir && _recursive)
                            AddTree(path, mustExist: false);
                    }
                    else if ((mask & InCreate) != 0)
                    {
                        emit(new WatchRecord(WatchKind.Create, path, "", isDir));
                        if (isDir && _recursive)
                            AddTree(path, mustExist: false);
                    }
                    else if ((mask & (InModify | InCloseWrite)) != 0 && name.Length > 0)
                        emit(new WatchRecord(WatchKind.Modify, path, "", isDir));
                    else if ((mask & InDelete) != 0)
                        emit(new WatchRecord(WatchKind.Delete, path, "", isDir));
                    else if ((mask & (InDeleteSelf | InMoveSelf)) != 0 && _paths.Count == 1)
                        emit(new WatchRecord((mask & InDeleteSelf) != 0 ? WatchKind.Delete : WatchKind.Move, dir, "", true));
                }
                if (movedFrom is { } last)
                {
                    emit(new WatchRecord(WatchKind.Move, last.Path, "", last.IsDir));
                    movedFrom = null;
                }
            }
        }
    }
}
