using Sandboxd.Api.V1;
using Sandboxd.Tests.Cgroups;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>The daemon's own lifetime: SIGTERM with --destroy-on-exit destroys every sandbox
/// (running and prepared); after a kill -9 a sandbox whose init did not survive cannot be
/// re-adopted: the next start sweeps what it left, and its files (on its disk) make it a stopped
/// sandbox that resumes. Re-adoption itself: ReadoptionTests.</summary>
public sealed class DaemonLifecycleTests
{
    [RootFact]
    public async Task Sigterm_with_destroy_on_exit_destroys_running_and_prepared_sandboxes()
    {
        var before = Cgroups();
        Sandbox sandbox;
        using (var daemon = new DaemonProcess())
        {
            sandbox = await daemon.Client.CreateAsync(new CreateRequest());
            await daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "sleep 1000 >/dev/null 2>&1 &"]);
            Assert.Contains(sandbox.Id, Cgroups()); // the listing sees the daemon's groups, so "none left" means something
            daemon.Stop();
            Assert.True(daemon.ExitCode == 0, $"sandboxd exited {daemon.ExitCode}:\n{daemon.Log}");
        }
        Assert.False(Posix.ProcessExists(sandbox.InitPid));
        Assert.Empty(Cgroups().Except(before));
    }

    [RootFact]
    public async Task After_a_crash_a_sandbox_whose_init_is_gone_is_swept_and_resumes_with_its_files()
    {
        var before = Cgroups();
        using var root = new TempRoot();
        Sandbox sandbox;
        using (var daemon = new DaemonProcess(root, ownsRoot: false))
        {
            sandbox = await daemon.Client.CreateAsync(new CreateRequest());
            await daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "echo survived > $HOME/f"]);
            daemon.Crash();
        }
        // init outlives the daemon (it waits to be re-adopted); killed here, there is nothing to re-adopt.
        Assert.True(Posix.ProcessExists(sandbox.InitPid));
        Posix.Kill(sandbox.InitPid, Posix.SIGKILL);
        Assert.Contains(sandbox.Id, Cgroups());

        using (var restarted = new DaemonProcess(root, ownsRoot: false))
        {
            Assert.False(Cgroups().Contains(sandbox.Id), restarted.Log);
            var record = await restarted.Client.GetAsync(sandbox.Id);
            Assert.Equal(SandboxState.Stopped, record.State);
            Assert.StartsWith("daemon restarted", record.StateCause, StringComparison.Ordinal);
            await restarted.Client.ResumeAsync(sandbox.Id);
            Assert.Equal("survived\n", (await restarted.Client.RunAsync(sandbox.Id, ["/bin/cat", "/home/user/f"])).Stdout);
            await restarted.Client.DestroyAsync(sandbox.Id);
            var fresh = await restarted.Client.CreateAsync(new CreateRequest());
            Assert.Equal("ok\n", (await restarted.Client.RunAsync(fresh.Id, ["/bin/echo", "ok"])).Stdout);
        }
        Assert.Empty(Cgroups().Except(before));
    }

    private static HashSet<string> Cgroups() => TestCgroups.DaemonGroupIds();
}
