using Sandboxd.Isolation.Launch;
using static Sandboxd.Isolation.Filesystem.MountFlags;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Builds the ordered setup ops for a sandbox's root: overlay (image lower, per-sandbox
/// upper), the host's /usr read-only for the default image, a fresh /proc with the kernel's
/// sensitive files masked, a minimal /dev, a sized /tmp, then pivot_root. All mounts are made
/// inside the sandbox's own mount namespace, so none of them exists on the host.</summary>
public static class RootfsPlanner
{
    private static readonly string[] Devices = ["null", "zero", "full", "random", "urandom", "tty"];

    /// <summary>Masked like the OCI runtimes do: reading them leaks host state or pokes the kernel.</summary>
    private static readonly string[] MaskedProcFiles =
        ["kcore", "keys", "timer_list", "sched_debug", "sysrq-trigger", "kmsg", "latency_stats", "timer_stats"];

    private static readonly string[] ReadOnlyProcDirs = ["sys", "bus", "fs", "irq"];

    /// <summary>The message that carries the writable layer's fd to the daemon (SendDir's flags).</summary>
    public const ulong UpperDirTag = 1;

    private const string HostUsr = "/usr";

    /// <summary>The host dirs a plan with idmapped lower layers attaches, in AttachTree's index
    /// order: the daemon clones them (LaunchSpec.IdmappedTrees) for the sandbox to attach.</summary>
    public static IReadOnlyList<string> IdmappedTrees(string imageDir, bool bindHostUsr) =>
        bindHostUsr ? [imageDir, HostUsr] : [imageDir];

    /// <summary>The writable layer lives on the sandbox's disk: with diskFd (a detached mount of
    /// its ext4 image, <see cref="SandboxDisk"/>) the files outlive the sandbox's processes and a
    /// stop; without one, a tmpfs of diskBytes that vanishes with them. Either way filling it gives
    /// ENOSPC inside, and it is mounted only in the sandbox's own mount namespace.
    /// keptDisk: the disk already holds a previous life's layer (a resume), which is left as it
    /// was: no hosts file or home ownership is written over the user's.
    /// With idmappedLowers (a user namespace only) the image and /usr are the idmapped trees of
    /// <see cref="IdmappedTrees"/>: their files are owned by the sandbox's own ids, so root inside
    /// can change the image's files, copied up into the writable layer.</summary>
    public static List<SetupOp> Plan(SandboxPaths paths, string imageDir, bool bindHostUsr, string hostname, long diskBytes,
        long tmpBytes, bool userNamespace = false, bool sendUpperToDaemon = false, bool idmappedLowers = false,
        int diskFd = -1, bool keptDisk = false)
    {
        if (idmappedLowers && !userNamespace)
            throw new ArgumentException("idmapped lower layers map ids into the sandbox's user namespace: it needs one", nameof(idmappedLowers));
        var root = paths.Root;
        var home = Path.Combine(paths.Upper, SandboxUser.Home.TrimStart('/'));
        // In a user namespace overlayfs may not use trusted.* xattrs: userxattr (Linux 5.11+).
        var lowerDir = idmappedLowers ? paths.ImageLower : imageDir;
        var overlayOptions = $"lowerdir={lowerDir},upperdir={paths.Upper},workdir={paths.Work}" + (userNamespace ? ",userxattr" : "");
        var ops = new List<SetupOp>
        {
            new(SetupOpKind.MakePrivate, Dst: "/"),
            // Only mount points (and the root's), so small.
            new(SetupOpKind.Mount, "tmpfs", paths.Scratch, "tmpfs", "mode=700,size=1m", NoSuid | NoDev),
            new(SetupOpKind.Mkdir, Dst: paths.Disk, Flags: 0x1C0),
            diskFd >= 0
                ? new(SetupOpKind.AttachFd, "the disk image", paths.Disk, Flags: (ulong)diskFd)
                : new(SetupOpKind.Mount, "tmpfs", paths.Disk, "tmpfs", $"mode=700,size={diskBytes}", NoSuid | NoDev),
            new(SetupOpKind.Mkdir, Dst: paths.Upper, Flags: 0x1ED),
            new(SetupOpKind.Mkdir, Dst: paths.Work, Flags: 0x1C0),
            new(SetupOpKind.Mkdir, Dst: root, Flags: 0x1ED),
            // Home and /root are made in the writable layer, owned by ids of this sandbox: the
            // image's copies belong to host ids a user namespace does not map.
            new(SetupOpKind.Mkdir, Dst: Path.GetDirectoryName(home), Flags: 0x1ED),
            new(SetupOpKind.Mkdir, Dst: home, Flags: 0x1ED),
        };
        if (!keptDisk)
        {
            ops.Add(new(SetupOpKind.Chown, Dst: home, Flags: ((ulong)SandboxUser.Uid << 32) | SandboxUser.Gid));
            ops.Add(new(SetupOpKind.Mkdir, Dst: Path.Combine(paths.Upper, "root"), Flags: 0x1C0));
            AddHostsFile(ops, paths, imageDir, hostname);
        }
        if (idmappedLowers)
            AddAttach(ops, imageDir, paths.ImageLower, index: 0);
        ops.Add(new(SetupOpKind.Mount, "overlay", root, "overlay", overlayOptions, NoSuid | NoDev));
        // The daemon diffs the writable layer after each command (file audit events); after
        // pivot_root no path of the host reaches it, so a handle on it travels to the daemon now.
        if (sendUpperToDaemon)
            ops.Add(new(SetupOpKind.SendDir, Dst: paths.Upper, Flags: UpperDirTag));
        if (bindHostUsr && idmappedLowers)
            AddIdmappedUsr(ops, paths);
        else if (bindHostUsr)
            ops.Add(new(SetupOpKind.Bind, HostUsr, Path.Combine(root, DefaultImage.UsrMountPoint), Flags: ReadOnly | NoDev));
        AddProc(ops, root);
        AddDev(ops, root);
        ops.Add(new(SetupOpKind.Mkdir, Dst: Path.Combine(root, "tmp"), Flags: 0x3FF));
        ops.Add(new(SetupOpKind.Mount, "tmpfs", Path.Combine(root, "tmp"), "tmpfs", $"mode=1777,size={tmpBytes}", NoSuid | NoDev));
        ops.Add(new(SetupOpKind.PivotRoot, Dst: root));
        ops.Add(new(SetupOpKind.Hostname, Src: hostname));
        ops.Add(new(SetupOpKind.LoopbackUp));
        ops.Add(new(SetupOpKind.Chdir, Dst: "/"));
        return ops;
    }

    /// <summary>Written into the writable layer before the overlay is mounted: the image is shared
    /// by every sandbox, the hostname is each one's own. Root inside may change it like any file
    /// of the image (in its own layer). Only for an image with an /etc directory of its own.</summary>
    private static void AddHostsFile(List<SetupOp> ops, SandboxPaths paths, string imageDir, string hostname)
    {
        var imageEtc = new DirectoryInfo(Path.Combine(imageDir, "etc"));
        if (!imageEtc.Exists || imageEtc.LinkTarget is not null)
            return;
        var etc = Path.Combine(paths.Upper, "etc");
        var hosts = Path.Combine(etc, "hosts");
        ops.Add(new(SetupOpKind.Mkdir, Dst: etc, Flags: 0x1ED));
        ops.Add(new(SetupOpKind.CreateFile, Dst: hosts));
        ops.Add(new(SetupOpKind.WriteFile, HostsFile.For(hostname), hosts));
    }

    private static void AddAttach(List<SetupOp> ops, string hostDir, string at, ulong index)
    {
        ops.Add(new(SetupOpKind.Mkdir, Dst: at, Flags: 0x1ED));
        ops.Add(new(SetupOpKind.AttachTree, hostDir, at, Flags: index));
    }

    /// <summary>Not the idmapped tree itself on /usr: a mount the kernel made for the daemon and
    /// moved into the sandbox's namespace carries no locked flags, so root inside could remount
    /// it read-write and write the host's /usr as host root. Behind a read-only overlay with no
    /// upper layer it stays unreachable (pivot_root drops the scratch dir) and unwritable.</summary>
    private static void AddIdmappedUsr(List<SetupOp> ops, SandboxPaths paths)
    {
        AddAttach(ops, HostUsr, paths.UsrLower, index: 1);
        ops.Add(new(SetupOpKind.Mkdir, Dst: paths.EmptyLower, Flags: 0x1ED));
        ops.Add(new(SetupOpKind.Mount, "overlay", Path.Combine(paths.Root, DefaultImage.UsrMountPoint), "overlay",
            $"lowerdir={paths.UsrLower}:{paths.EmptyLower},userxattr", ReadOnly | NoSuid | NoDev));
    }

    private static void AddProc(List<SetupOp> ops, string root)
    {
        var proc = Path.Combine(root, "proc");
        ops.Add(new(SetupOpKind.Mkdir, Dst: proc, Flags: 0x16D /* 0555 */));
        ops.Add(new(SetupOpKind.Mount, "proc", proc, "proc", Flags: NoSuid | NoDev | NoExec));
        // Same kernel inside and out: what the host's /proc lacks, the sandbox's lacks too.
        foreach (var file in MaskedProcFiles.Where(f => File.Exists(Path.Combine("/proc", f))))
            ops.Add(new(SetupOpKind.Bind, "/dev/null", Path.Combine(proc, file), Flags: ReadOnly | NoSuid | NoDev | NoExec));
        foreach (var dir in ReadOnlyProcDirs.Where(d => Directory.Exists(Path.Combine("/proc", d))))
        {
            var target = Path.Combine(proc, dir);
            ops.Add(new(SetupOpKind.Bind, target, target, Flags: ReadOnly | NoSuid | NoDev | NoExec));
        }
    }

    private static void AddDev(List<SetupOp> ops, string root)
    {
        var dev = Path.Combine(root, "dev");
        ops.Add(new(SetupOpKind.Mkdir, Dst: dev, Flags: 0x1ED /* 0755 */));
        ops.Add(new(SetupOpKind.Mount, "tmpfs", dev, "tmpfs", "mode=755,size=64k", NoSuid | NoExec));
        foreach (var name in Devices)
        {
            var target = Path.Combine(dev, name);
            ops.Add(new(SetupOpKind.CreateFile, Dst: target));
            ops.Add(new(SetupOpKind.Bind, "/dev/" + name, target, Flags: NoSuid | NoExec));
        }
        var pts = Path.Combine(dev, "pts");
        ops.Add(new(SetupOpKind.Mkdir, Dst: pts, Flags: 0x1ED));
        ops.Add(new(SetupOpKind.Mount, "devpts", pts, "devpts", "newinstance,ptmxmode=0666,mode=620", NoSuid | NoExec));
        ops.Add(new(SetupOpKind.Symlink, "pts/ptmx", Path.Combine(dev, "ptmx")));
        var shm = Path.Combine(dev, "shm");
        ops.Add(new(SetupOpKind.Mkdir, Dst: shm, Flags: 0x3FF));
        ops.Add(new(SetupOpKind.Mount, "tmpfs", shm, "tmpfs", "mode=1777,size=64m", NoSuid | NoDev));
        ops.Add(new(SetupOpKind.Symlink, "/proc/self/fd", Path.Combine(dev, "fd")));
        ops.Add(new(SetupOpKind.Symlink, "/proc/self/fd/0", Path.Combine(dev, "stdin")));
        ops.Add(new(SetupOpKind.Symlink, "/proc/self/fd/1", Path.Combine(dev, "stdout")));
        ops.Add(new(SetupOpKind.Symlink, "/proc/self/fd/2", Path.Combine(dev, "stderr")));
    }
}
