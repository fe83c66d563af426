using System.Text;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>Where this host mounts its cgroup hierarchies, read from /proc/self/mountinfo
/// rather than assumed: hosts differ (pure v2, hybrid, v1 with cpu,cpuacct co-mounted).</summary>
/// <param name="V1">v1 controller name → mount point (co-mounted controllers share a mount point).</param>
/// <param name="V2Root">The cgroup2 mount point, or null when none is mounted.</param>
public sealed record CgroupMounts(IReadOnlyDictionary<string, string> V1, string? V2Root)
{
    public const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>v1 mount options that are flags, not controller names.</summary>
    private static readonly HashSet<string> NotControllers =
        new(StringComparer.Ordinal) { "rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "clone_children", "noprefix", "xattr" };

    public static CgroupMounts Detect(string mountInfoPath = MountInfoPath)
    {
        try
        {
            return Parse(File.ReadAllText(mountInfoPath));
        }
        catch (IOException ex)
        {
            throw new CgroupException("cgroup", "read mountinfo", mountInfoPath, Errno.Describe(ex), ex);
        }
    }

    /// <summary>Parses mountinfo text: "id parent maj:min root mountpoint opts [optional…] - fstype source superopts".</summary>
    public static CgroupMounts Parse(string mountInfo)
    {
        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        string? v2 = null;
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (dash < 5 || dash + 3 >= fields.Length)
                continue;
            var mountPoint = Unescape(fields[4]);
            switch (fields[dash + 1])
            {
                case "cgroup2":
                    v2 ??= mountPoint;
                    break;
                case "cgroup":
                    foreach (var option in fields[dash + 3].Split(','))
                    {
                        if (!NotControllers.Contains(option) && !option.Contains('=', StringComparison.Ordinal))
                            v1.TryAdd(option, mountPoint);
                    }
                    break;
            }
        }
        return new CgroupMounts(v1, v2);
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
            return field;
        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s.AsSpan(start, 3).IndexOfAnyExceptInRange('0', '7') < 0;
}
