using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Profiles;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Isolation;

/// <summary>The image and /usr are idmapped into each user-namespace sandbox: root inside owns
/// the image's files and changes them in its own writable layer, never on the host.</summary>
public sealed class IdmappedImageTests
{
    private static readonly string[] WatchedImageFiles = ["etc/hosts", "etc/passwd", "etc/resolv.conf", "etc", "var/tmp"];

    [RootFact]
    public async Task Root_inside_changes_the_image_in_its_writable_layer_and_the_host_image_stays_as_it_was()
    {
        using var temp = new TempRoot();
        using var launcher = new SandboxLauncher(temp.StateDir, temp.RuntimeDir, CgroupManagerFactory.Detect());
        Assert.Null(launcher.IdmapUnavailable); // kernel 6.18 on ext4/tmpfs: the feature under test is on
        var image = Path.Combine(temp.StateDir, "images", "default");
        var before = Snapshot(image);
        var sandbox = Launch(launcher, "sbx-idmap-");
        try
        {
            var (rootExit, rootOut) = await sandbox.RunAsync(0, 0,
                "echo 10.0.0.9 added >> /etc/hosts && echo made > /etc/new && rm /etc/resolv.conf && echo y > /var/tmp/x && " +
                "ls -ln /etc/passwd | cut -d' ' -f3,4 && tail -n1 /etc/hosts && cat /etc/new /var/tmp/x && " +
                "test ! -e /etc/resolv.conf && echo gone; touch /usr/idmap-probe 2>&1; echo usr=$?");
            Assert.True(rootExit == 0, rootOut);
            var lines = rootOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("0 0", lines[0]);
            Assert.Equal(["10.0.0.9 added", "made", "y", "gone"], lines[1..5]);
            Assert.Contains("Read-only file system", lines[5], StringComparison.Ordinal);
            Assert.Equal("usr=1", lines[6]);

            // The idmapped trees themselves are nowhere inside: a mount the daemon made carries no
            // locked flags, so one reachable here could be remounted read-write by root inside.
            var (_, mounts) = await sandbox.RunAsync(0, 0, "cat /proc/self/mountinfo");
            Assert.DoesNotContain("idmapped", mounts, StringComparison.Ordinal);
            var usr = mounts.Split('\n').Single(l => l.Split(' ').ElementAtOrDefault(4) == "/usr").Split(' ');
            Assert.Equal("overlay", usr[Array.IndexOf(usr, "-") + 1]);
            Assert.StartsWith("ro,", usr[5], StringComparison.Ordinal);

            var (userExit, userOut) = await sandbox.RunAsync(SandboxUser.Uid, SandboxUser.Gid, "echo z >> /etc/hosts; echo rc=$?; touch /etc/other 2>&1; echo rc=$?");
            Assert.Equal(0, userExit);
            Assert.Contains("Permission denied", userOut, StringComparison.Ordinal);
            Assert.DoesNotContain("rc=0", userOut, StringComparison.Ordinal);
        }
        finally
        {
            sandbox.Destroy();
        }
        Assert.Equal(before, Snapshot(image));
        Assert.False(File.Exists(Path.Combine(image, "etc/new")));
        Assert.False(File.Exists(Path.Combine(image, "var/tmp/x")));
        Assert.False(File.Exists("/usr/idmap-probe"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Paths.Scratch));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(temp.Path, StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Where_the_image_cannot_be_idmapped_sandboxes_run_as_before_with_the_image_owned_by_nobody()
    {
        using var temp = new TempRoot();
        // ramfs has no idmapped mounts (tmpfs and ext4 do): a state dir on it is this kernel's old kernel.
        var stateDir = Path.Combine(temp.Path, "ramfs-state");
        Directory.CreateDirectory(stateDir);
        Assert.Equal(0, Posix.Mount("ramfs", stateDir, "ramfs", 0, "mode=755"));
        try
        {
            using var launcher = new SandboxLauncher(stateDir, temp.RuntimeDir, CgroupManagerFactory.Detect());
            Assert.StartsWith("mount_setattr(idmap) of " + stateDir, launcher.IdmapUnavailable, StringComparison.Ordinal);
            Assert.Contains("EINVAL", launcher.IdmapUnavailable, StringComparison.Ordinal);
            var sandbox = Launch(launcher, "sbx-noidmap-");
            try
            {
                // Not /etc/hosts: that one is the sandbox's own (it names its hostname).
                var (exit, output) = await sandbox.RunAsync(0, 0, "ls -ln /etc/passwd | cut -d' ' -f3,4; echo x >> /etc/passwd; echo rc=$?");
                Assert.Equal(0, exit);
                Assert.StartsWith("65534 65534\n", output, StringComparison.Ordinal);
                Assert.Contains("Permission denied", output, StringComparison.Ordinal);
                Assert.DoesNotContain("rc=0", output, StringComparison.Ordinal);
            }
            finally
            {
                sandbox.Destroy();
            }
        }
        finally
        {
            Assert.Equal(0, Posix.Umount2(stateDir, 2));
        }
    }

    [RootFact]
    public void An_image_on_a_filesystem_without_idmapping_fails_naming_the_step_and_the_dir()
    {
        using var temp = new TempRoot();
        using var launcher = new SandboxLauncher(temp.StateDir, temp.RuntimeDir, CgroupManagerFactory.Detect());
        var profile = BuiltinSandboxProfiles.Default;
        // procfs cannot be idmapped: the daemon's mount_setattr refuses it, before any op runs.
        var e = Assert.Throws<SandboxSetupException>(() => launcher.Launch(
            new SandboxSpec("sbx-idmap-bad-" + Guid.NewGuid().ToString("N")[..8], "/proc/driver", "h", profile, profile.Limits, profile.DiskBytes)));
        Assert.StartsWith("mount_setattr(idmap) of /proc/driver: EINVAL", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not support idmapped mounts", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(launcher.PathsFor("x").Scratch));
    }

    [Fact]
    public void The_plan_attaches_the_idmapped_trees_in_the_order_the_daemon_clones_them()
    {
        var paths = new SandboxPaths("/s", "/r", "id");
        var ops = RootfsPlanner.Plan(paths, "/s/images/default", bindHostUsr: true, "h", 1 << 20, 1 << 20,
            userNamespace: true, idmappedLowers: true);
        var trees = RootfsPlanner.IdmappedTrees("/s/images/default", bindHostUsr: true);
        var attaches = ops.Where(o => o.Kind == SetupOpKind.AttachTree).ToList();
        Assert.Equal(trees, attaches.Select(a => a.Src!).ToList());
        Assert.Equal([0ul, 1ul], attaches.Select(a => a.Flags).ToList());
        var root = ops.Single(o => o.Kind == SetupOpKind.Mount && o.Dst == paths.Root);
        Assert.StartsWith($"lowerdir={paths.ImageLower},", root.Data, StringComparison.Ordinal);
        // Never the idmapped tree itself on /usr (root inside could remount it read-write).
        Assert.DoesNotContain(ops, o => o.Kind == SetupOpKind.Bind && o.Src == "/usr");
        var usr = ops.Single(o => o.Kind == SetupOpKind.Mount && o.Dst == "/r/scratch/root/usr");
        Assert.Equal(("overlay", MountFlags.ReadOnly), (usr.FsType, usr.Flags & MountFlags.ReadOnly));
        Assert.Throws<ArgumentException>(() => RootfsPlanner.Plan(paths, "/i", true, "h", 1, 1, userNamespace: false, idmappedLowers: true));
    }

    private static LaunchedSandbox Launch(SandboxLauncher launcher, string prefix)
    {
        var profile = BuiltinSandboxProfiles.Default;
        Assert.True(profile.UserNamespace);
        return launcher.Launch(new SandboxSpec(prefix + Guid.NewGuid().ToString("N")[..8], null, "idmaphost", profile, profile.Limits, profile.DiskBytes));
    }

    private static string Owner(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u:%g", path])
            { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    /// <summary>Bytes, owner and mode of the image files root inside changes.</summary>
    private static string Snapshot(string image) => string.Join("\n", WatchedImageFiles.Select(name =>
    {
        var path = Path.Combine(image, name);
        var info = new FileInfo(path);
        var stat = Directory.Exists(path) ? "dir" : Convert.ToHexString(File.ReadAllBytes(path));
        var owner = Owner(path);
        return $"{name} {owner} {(int)info.UnixFileMode} {stat}";
    }));
}
