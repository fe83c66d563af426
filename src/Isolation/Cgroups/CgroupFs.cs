using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>File and directory operations on cgroupfs, each failure turned into a
/// <see cref="CgroupException"/> that names the step. Shared by the v1 and v2 implementations.</summary>
internal static class CgroupFs
{
    /// <summary>How long rmdir keeps retrying EBUSY: killed members need a moment to leave the group.</summary>
    public static readonly TimeSpan RemoveBudget = TimeSpan.FromSeconds(1);

    public static bool Exists(CgroupDir dir, string file) => File.Exists(System.IO.Path.Combine(dir.Path, file));

    /// <summary>One write() of the whole value: cgroupfs parses each write on its own, so a buffered
    /// writer that splits or appends would be misread.</summary>
    public static void Write(CgroupDir dir, string file, string value)
    {
        var path = System.IO.Path.Combine(dir.Path, file);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            stream.Write(Encoding.ASCII.GetBytes(value));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CgroupException(dir.Context, $"write {file} \"{value}\"", path, Errno.Describe(ex), ex);
        }
    }

    public static void Write(CgroupDir dir, string file, long value) =>
        Write(dir, file, value.ToString(CultureInfo.InvariantCulture));

    public static string Read(CgroupDir dir, string file)
    {
        var path = System.IO.Path.Combine(dir.Path, file);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CgroupException(dir.Context, $"read {file}", path, Errno.Describe(ex), ex);
        }
    }

    /// <summary>Null when the file does not exist on this kernel or configuration.</summary>
    public static string? TryRead(CgroupDir dir, string file) => Exists(dir, file) ? Read(dir, file) : null;

    /// <summary>A single-number file; "max" (v2 unlimited) reads as null.</summary>
    public static long? TryReadLong(CgroupDir dir, string file) =>
        TryRead(dir, file) is { } text && long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    /// <summary>A value from a flat-keyed file ("key value" per line: memory.events, pids.events, cpu.stat).</summary>
    public static long? TryReadKey(CgroupDir dir, string file, string key)
    {
        if (TryRead(dir, file) is not { } text)
            return null;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key &&
                long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                return n;
        }
        return null;
    }

    /// <summary>The processes in one directory; a directory already removed has none.</summary>
    public static IReadOnlyList<int> ReadProcs(CgroupDir dir)
    {
        if (!Directory.Exists(dir.Path))
            return [];
        var pids = new List<int>();
        foreach (var line in Read(dir, "cgroup.procs").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            pids.Add(int.Parse(line, NumberStyles.Integer, CultureInfo.InvariantCulture));
        return pids;
    }

    /// <summary>Creates <c>root/sandboxd</c> where missing and then every group directory, which must not
    /// exist yet. If any step fails the directories made so far are removed again, so a failed create
    /// leaves nothing behind.</summary>
    public static void CreateGroupDirs(IReadOnlyList<CgroupDir> dirs, Action afterCreate)
    {
        var created = new List<CgroupDir>();
        try
        {
            foreach (var dir in dirs)
            {
                MakeGroupDir(dir);
                created.Add(dir);
            }
            afterCreate();
        }
        catch
        {
            for (var i = created.Count - 1; i >= 0; i--)
                TryRemoveDir(created[i]);
            RemoveParentIfEmpty(dirs);
            throw;
        }
    }

    /// <summary>The shared parent exists only while some group is under it (see
    /// <see cref="RemoveParentIfEmpty"/>): one removed between making it and making the group
    /// (ENOENT) is made again.</summary>
    private static void MakeGroupDir(CgroupDir dir)
    {
        var parent = dir with { Path = System.IO.Path.GetDirectoryName(dir.Path)! };
        for (int attempt = 0; ; attempt++)
        {
            MakeDir(parent, allowExisting: true);
            var errno = TryMakeDir(dir);
            if (errno == 0)
                return;
            if (errno != Errno.ENOENT || attempt == 3)
                throw MkdirFailed(dir, errno);
        }
    }

    private static void MakeDir(CgroupDir dir, bool allowExisting)
    {
        var errno = TryMakeDir(dir);
        if (errno != 0 && !(errno == Errno.EEXIST && allowExisting))
            throw MkdirFailed(dir, errno);
    }

    private static int TryMakeDir(CgroupDir dir) =>
        CgroupInterop.Mkdir(dir.Path, 0x1ED /* 0755 */) == 0 ? 0 : Marshal.GetLastPInvokeError();

    private static CgroupException MkdirFailed(CgroupDir dir, int errno)
    {
        var reason = errno == Errno.EEXIST
            ? "EEXIST: the cgroup already exists (a leftover from a crash? see ListLeftovers)"
            : Errno.Name(errno);
        return new CgroupException(dir.Context, "mkdir", dir.Path, reason);
    }

    /// <summary>Removes the shared <c>sandboxd</c> parent of these groups once the last group under
    /// it is gone, so a host with no sandboxes holds no sandboxd cgroup at all. rmdir refuses (EBUSY)
    /// while another group remains: that is the answer, not an error.</summary>
    public static void RemoveParentIfEmpty(IEnumerable<CgroupDir> dirs)
    {
        foreach (var parent in dirs.Select(d => System.IO.Path.GetDirectoryName(d.Path)!).Distinct(StringComparer.Ordinal))
            CgroupInterop.Rmdir(parent);
    }

    /// <summary>rmdir only (never a recursive delete: the files in a cgroup dir are kernel objects).
    /// Retries EBUSY within <see cref="RemoveBudget"/> while killed members exit; a missing dir is done.</summary>
    public static void RemoveDir(CgroupDir dir, DateTime deadlineUtc)
    {
        while (true)
        {
            if (CgroupInterop.Rmdir(dir.Path) == 0)
                return;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ENOENT)
                return;
            if ((errno == Errno.EBUSY || errno == Errno.EINTR) && DateTime.UtcNow < deadlineUtc)
            {
                Thread.Sleep(10);
                continue;
            }
            var detail = errno == Errno.EBUSY ? "EBUSY: processes are still in the group" : Errno.Name(errno);
            throw new CgroupException(dir.Context, "rmdir", dir.Path, detail);
        }
    }

    private static void TryRemoveDir(CgroupDir dir)
    {
        try
        {
            RemoveDir(dir, DateTime.UtcNow);
        }
        catch (CgroupException)
        {
            // Rolling back a failed create: the original error is the one worth reporting.
        }
    }

    /// <summary>Child group names ("sandboxd/x") under root/sandboxd of each hierarchy, each name once.</summary>
    public static IEnumerable<string> ListChildren(IEnumerable<string> hierarchyRoots)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var root in hierarchyRoots)
        {
            var parent = System.IO.Path.Combine(root, CgroupName.Parent);
            if (!Directory.Exists(parent))
                continue;
            foreach (var child in Directory.EnumerateDirectories(parent))
                names.Add($"{CgroupName.Parent}/{System.IO.Path.GetFileName(child)}");
        }
        return names;
    }
}
