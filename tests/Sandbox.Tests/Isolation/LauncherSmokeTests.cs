using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Profiles;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Isolation;

public sealed class LauncherSmokeTests
{
    [RootFact]
    public async Task Echo_runs_inside_a_real_sandbox_and_destroy_leaves_nothing()
    {
        using var temp = new TempRoot();
        using var launcher = new SandboxLauncher(temp.StateDir, temp.RuntimeDir, CgroupManagerFactory.Detect());
        // Without a user namespace: the vfork spawn path, and the child joining its own cgroup.
        var profile = BuiltinSandboxProfiles.Default with { UserNamespace = false };
        var sandbox = launcher.Launch(new SandboxSpec("sbx-smoke-" + Guid.NewGuid().ToString("N")[..8], null, "smokehost", profile, profile.Limits, profile.DiskBytes));
        try
        {
            var (exit, output) = await sandbox.RunAsync(SandboxUser.Uid, SandboxUser.Gid, "echo hi; hostname; id -u");
            Assert.Equal(0, exit);
            Assert.Equal("hi\nsmokehost\n10001\n", output);
        }
        finally
        {
            sandbox.Destroy();
        }
        Assert.False(Directory.Exists($"/proc/{sandbox.InitPid}"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Paths.Scratch));
    }

    [RootFact]
    public async Task In_a_user_namespace_root_inside_is_an_unprivileged_host_uid()
    {
        using var temp = new TempRoot();
        using var launcher = new SandboxLauncher(temp.StateDir, temp.RuntimeDir, CgroupManagerFactory.Detect());
        var profile = BuiltinSandboxProfiles.Default with { UserNamespace = true };
        var sandbox = launcher.Launch(new SandboxSpec("sbx-userns-" + Guid.NewGuid().ToString("N")[..8], null, "usernshost", profile, profile.Limits, profile.DiskBytes));
        try
        {
            var (exit, output) = await sandbox.RunAsync(SandboxUser.Uid, SandboxUser.Gid,
                "id -u; cat /proc/self/uid_map; echo x > $HOME/f && cat $HOME/f; hostname", "HOME=/home/user");
            Assert.True(exit == 0, output);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("10001", lines[0]);
            var map = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("0", map[0]);
            Assert.True(uint.Parse(map[1]) >= 1u << 20, $"host base {map[1]}");
            Assert.Equal(["x", "usernshost"], lines[2..]);
            // The init (root inside) is an unprivileged uid on the host.
            var status = File.ReadAllLines($"/proc/{sandbox.InitPid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            Assert.Equal(map[1], status.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        finally
        {
            sandbox.Destroy();
        }
    }
}
