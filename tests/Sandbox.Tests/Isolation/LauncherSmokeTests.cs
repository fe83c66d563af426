using System.Text;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Execution;
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
        var profile = BuiltinSandboxProfiles.Default;
        var sandbox = launcher.Launch(new SandboxSpec("sbx-smoke-" + Guid.NewGuid().ToString("N")[..8], null, "smokehost", profile, profile.Limits, profile.DiskBytes));
        try
        {
            var output = new StringBuilder();
            var spec = new ExecSpec(["/bin/sh", "-c", "echo hi; hostname; id -u"], ["PATH=/usr/bin:/bin"], "/", SandboxUser.Uid, SandboxUser.Gid);
            var result = await CommandRunner.RunAsync(sandbox.Channel, spec, default,
                (s, d) => { lock (output) output.Append(Encoding.UTF8.GetString(d.Span)); return ValueTask.CompletedTask; },
                null, CancellationToken.None);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("hi\nsmokehost\n10001\n", output.ToString());
        }
        finally
        {
            sandbox.Destroy();
        }
        Assert.False(Directory.Exists($"/proc/{sandbox.InitPid}"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(sandbox.Paths.Scratch));
    }
}
