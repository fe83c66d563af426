using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Profiles;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Isolation;

/// <summary>The kernel's own overlayfs writes what the diff reads: a command in a real sandbox
/// (no user namespace, so root inside may change the image's files) appends to an image file,
/// deletes one and creates one, and the daemon's fd on the writable layer shows a copy-up, a
/// whiteout and a new file.</summary>
public sealed class LayerDiffOverlayTests
{
    [RootFact]
    public async Task Copy_ups_and_whiteouts_of_a_real_overlay_read_as_modified_and_deleted()
    {
        using var temp = new TempRoot();
        using var launcher = new SandboxLauncher(temp.StateDir, temp.RuntimeDir, CgroupManagerFactory.Detect());
        var profile = BuiltinSandboxProfiles.Default with { UserNamespace = false };
        var sandbox = launcher.Launch(new SandboxSpec("sbx-layer-" + Guid.NewGuid().ToString("N")[..8], null, "layer", profile, profile.Limits, profile.DiskBytes));
        try
        {
            var before = LayerWalker.Snapshot(sandbox.Layers.Upper, LayerWalkLimits.Default);
            var (exit, output) = await sandbox.RunAsync(0, 0, "echo '10.0.0.2 db' >> /etc/hosts && rm /etc/resolv.conf && echo new > /etc/new && echo t > /tmp/t");
            Assert.True(exit == 0, output);
            var after = LayerWalker.Snapshot(sandbox.Layers.Upper, LayerWalkLimits.Default);

            using var image = new ImageLookup(sandbox.Layers.ImageDir);
            var changes = LayerDiff.Compare(before, after, image.Find);

            // /etc/hosts is the sandbox's own from the start (it names the hostname), in its writable layer.
            long hostsSize = HostsFile.For("layer").Length + "10.0.0.2 db\n".Length;
            Assert.Equal(
            [
                new FileChange(FileChangeKind.Modified, "/etc/hosts", LayerEntryType.File, hostsSize),
                new FileChange(FileChangeKind.Created, "/etc/new", LayerEntryType.File, 4),
                new FileChange(FileChangeKind.Deleted, "/etc/resolv.conf", LayerEntryType.File, DefaultImage.ResolvConf.Length),
            ], changes);
            Assert.Equal(LayerEntryType.Whiteout, after.Entries["/etc/resolv.conf"].Type);
        }
        finally
        {
            sandbox.Destroy();
        }
        Assert.True(sandbox.Layers.Upper.IsClosed, "destroy closes the daemon's fd on the layer");
    }
}
