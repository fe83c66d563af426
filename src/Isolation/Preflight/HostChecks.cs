using System.Globalization;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Preflight;

/// <summary>Checks the kernel features each isolation layer needs, read from the host itself
/// (/proc, cgroupfs), so the daemon can refuse to make a sandbox weaker than asked.</summary>
public static class HostChecks
{
    /// <summary>The name of the favordynmods check: the daemon switches the mode on itself.</summary>
    public const string CgroupAttachModeCheck = "cgroup favordynmods";

    private static readonly string[] Namespaces = ["mnt", "pid", "net", "uts", "ipc", "cgroup"];

    public static IReadOnlyList<HostCheck> Run(string? initBinary = null) =>
    [
        new("root", Native.GetEuid() == 0, true, Native.GetEuid() == 0 ? "running as root" : "sandboxd creates namespaces and mounts: run it as root"),
        Kernel(),
        NamespacesAvailable(),
        Filesystem("overlay", true, "the sandbox root is an overlay of the image"),
        Filesystem("tmpfs", true, "/tmp and the mount points are sized tmpfs"),
        Filesystem("ext4", true, "each sandbox's writable layer is on its own ext4 disk image (kept across stop and resume)"),
        DiskTools(),
        Seccomp(),
        Cgroups(),
        CgroupAttachMode(),
        UserNamespaces(),
        IdmappedLowerLayers(),
        InitBinaryPresent(initBinary ?? Launch.InitBinary.DefaultPath),
    ];

    public static bool AllRequiredOk(IEnumerable<HostCheck> checks) => checks.All(c => c.Ok || !c.Required);

    private static HostCheck Kernel()
    {
        var release = Read("/proc/sys/kernel/osrelease").Trim();
        var parts = release.Split('.', '-');
        bool ok = parts.Length >= 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out int major)
            && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int minor) && (major > 5 || (major == 5 && minor >= 11));
        return new("kernel", ok, true, $"{release} (needs ≥ 5.11: close_range, overlayfs features)");
    }

    private static HostCheck NamespacesAvailable()
    {
        var missing = Namespaces.Where(ns => !File.Exists($"/proc/self/ns/{ns}")).ToList();
        return new("namespaces", missing.Count == 0, true,
            missing.Count == 0 ? string.Join(", ", Namespaces) : "missing: " + string.Join(", ", missing));
    }

    private static HostCheck Filesystem(string type, bool required, string why)
    {
        bool ok = Read("/proc/filesystems").Split('\n').Any(l => l.Split('\t').Last().Trim() == type);
        return new(type, ok, required, ok ? why : $"{type} is not in /proc/filesystems (modprobe {type}?): {why}");
    }

    private static HostCheck DiskTools()
    {
        bool loop = File.Exists("/dev/loop-control");
        bool mkfs = File.Exists("/usr/sbin/mkfs.ext4") || File.Exists("/sbin/mkfs.ext4");
        return new("disk images", loop && mkfs, true, (loop, mkfs) switch
        {
            (true, true) => "loop devices and mkfs.ext4 for the sandboxes' disks",
            (false, _) => "no /dev/loop-control (modprobe loop): sandbox disks are loop-mounted images",
            _ => "no mkfs.ext4 (apt-get install e2fsprogs): it formats the sandboxes' disks",
        });
    }

    private static HostCheck Seccomp()
    {
        var actions = Read("/proc/sys/kernel/seccomp/actions_avail").Trim();
        bool ok = actions.Contains("errno", StringComparison.Ordinal) && actions.Contains("kill_process", StringComparison.Ordinal);
        return new("seccomp", ok, true, ok ? "filter actions: " + actions : "seccomp filters are not available (CONFIG_SECCOMP_FILTER)");
    }

    private static HostCheck Cgroups()
    {
        try
        {
            var support = CgroupManagerFactory.Detect().Probe();
            return new("cgroups", support.IsUsable, true, support.ToString());
        }
        catch (CgroupException e)
        {
            return new("cgroups", false, true, e.Message);
        }
    }

    /// <summary>Optional: without favordynmods a cgroup join after idle costs milliseconds
    /// (the daemon switches it on at start unless told not to).</summary>
    private static HostCheck CgroupAttachMode()
    {
        var state = FavorDynMods.Read();
        return new(CgroupAttachModeCheck, state.Status == FavorDynModsStatus.On, false, state.Detail);
    }

    private static HostCheck UserNamespaces()
    {
        var max = Read("/proc/sys/user/max_user_namespaces").Trim();
        bool ok = long.TryParse(max, CultureInfo.InvariantCulture, out long n) && n > 0;
        return new("user namespaces", ok, false, ok ? $"available (max {n})" : "off (max_user_namespaces = 0)");
    }

    /// <summary>Optional: without idmapped mounts root inside a sandbox sees the image as nobody's.</summary>
    private static HostCheck IdmappedLowerLayers()
    {
        var whyNot = Native.GetEuid() == 0 ? Sandboxd.Isolation.Filesystem.IdmappedMounts.WhyNot("/usr") : "needs root to try";
        return new("idmapped mounts", whyNot is null, false, whyNot is null
            ? "image and /usr idmapped into each sandbox: root inside owns the image's files (changes go to its writable layer)"
            : $"unavailable ({whyNot}): root inside a sandbox sees the image's files as nobody's and cannot change /etc");
    }

    private static HostCheck InitBinaryPresent(string path) =>
        new("sbx-init", File.Exists(path), true, File.Exists(path) ? path : $"{path} is missing: run `make build`");

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
