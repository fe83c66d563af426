using System.Globalization;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>The cgroup "favordynmods" mode (Linux ≥ 6.1). Moving a process into a cgroup takes
/// the global cgroup_threadgroup_rwsem for writing; in the default mode that waits for an RCU
/// grace period whenever the lock has been quiet (~100 ms), so the first join after an idle spell
/// costs 7–16 ms on these hosts, v1 hierarchies included. With favordynmods on any hierarchy the
/// kernel keeps the lock in its fast-attach mode (joins ~0.03 ms) at the price of a slower
/// fork/exit. The mode is the host's, not the sandbox's: once on it stays until that hierarchy is
/// unmounted, so it is applied once at daemon start, and an option keeps the host as it is.</summary>
public static class FavorDynMods
{
    public const string Option = "favordynmods";

    /// <summary>The kernel release that added the option (cgroup v1 and v2 alike).</summary>
    private static readonly Version Since = new(6, 1);

    /// <summary>Where the mode is read and switched: the cgroup2 mount when there is one (hybrid
    /// hosts keep it at /sys/fs/cgroup/unified), else the first v1 hierarchy.</summary>
    public static FavorDynModsState Read(string mountInfoPath = CgroupMounts.MountInfoPath)
    {
        try
        {
            return Parse(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), File.ReadAllText(mountInfoPath));
        }
        catch (IOException e)
        {
            return new(FavorDynModsStatus.Failed, null, "read the kernel's cgroup mounts: " + e.Message);
        }
    }

    /// <summary>The mode as a kernel release and its mountinfo text show it.</summary>
    public static FavorDynModsState Parse(string release, string mountInfo)
    {
        if (!KernelHasIt(release))
            return new(FavorDynModsStatus.Unsupported, null, $"kernel {release} is older than 6.1");
        var mount = Find(mountInfo);
        if (mount is null)
            return new(FavorDynModsStatus.NoHierarchy, null, "no cgroup hierarchy is mounted");
        return mount.SuperOptions.Contains(Option)
            ? new(FavorDynModsStatus.On, mount.Path, $"on ({mount.Path}): cgroup joins stay fast after idle")
            : new(FavorDynModsStatus.Off, mount.Path, $"off ({mount.Path}): a cgroup join after ~100 ms idle waits for an RCU grace period");
    }

    /// <summary>Switches the mode on (remount, keeping the hierarchy's other options, which a
    /// cgroup2 remount would otherwise reset). Never throws: the daemon runs either way and logs
    /// what it got.</summary>
    public static FavorDynModsState Apply(string mountInfoPath = CgroupMounts.MountInfoPath)
    {
        var before = Read(mountInfoPath);
        if (before.Status != FavorDynModsStatus.Off)
            return before;
        var mount = Find(File.ReadAllText(mountInfoPath));
        if (mount is null)
            return before;
        var data = string.Join(',', mount.SuperOptions.Where(o => o is not ("rw" or "ro")).Append(Option));
        if (Native.Mount(null, mount.Path, null, Native.MS_REMOUNT | mount.MountFlags, data) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            return new(FavorDynModsStatus.Failed, mount.Path, $"remount {mount.Path} with {Option}: {Errno.Describe(errno)}");
        }
        return before with { Status = FavorDynModsStatus.On, Detail = $"switched on ({mount.Path}): cgroup joins stay fast after idle" };
    }

    private static bool KernelHasIt(string release)
    {
        var parts = release.Split('.', '-');
        return parts.Length >= 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var minor) && new Version(major, minor) >= Since;
    }

    private sealed record Hierarchy(string Path, ulong MountFlags, HashSet<string> SuperOptions);

    /// <summary>mountinfo: "id parent maj:min root mountpoint mountopts [optional…] - fstype source superopts".</summary>
    private static Hierarchy? Find(string mountInfo)
    {
        Hierarchy? v1 = null;
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (dash < 5 || dash + 3 >= fields.Length || fields[dash + 1] is not ("cgroup2" or "cgroup"))
                continue;
            var found = new Hierarchy(CgroupMounts.Unescape(fields[4]), MountFlagsOf(fields[5]), [.. fields[dash + 3].Split(',')]);
            if (fields[dash + 1] == "cgroup2")
                return found;
            v1 ??= found;
        }
        return v1;
    }

    /// <summary>A remount replaces the per-mount flags, so the current ones are passed back.</summary>
    private static ulong MountFlagsOf(string options)
    {
        ulong flags = 0;
        foreach (var option in options.Split(','))
        {
            flags |= option switch
            {
                "ro" => 1UL,
                "nosuid" => 2UL,
                "nodev" => 4UL,
                "noexec" => 8UL,
                "noatime" => 1024UL,
                "nodiratime" => 2048UL,
                "relatime" => 1UL << 21,
                _ => 0UL,
            };
        }
        return flags;
    }
}
