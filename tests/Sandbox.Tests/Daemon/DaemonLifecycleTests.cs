using Sandboxd.Api.V1;
using Sandboxd.Tests.Cgroups;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>The daemon's own lifetime: SIGTERM destroys every sandbox (running and prepared);
/// after a kill -9 the sandboxes' processes die with it, the next start sweeps what they left, and
/// their files (on their disks) make them stopped sandboxes that resume.</summary>
public sealed class DaemonLifecycleTests
{
    [RootFact]
    public async Task Sigterm_destroys_running_and_prepared_sandboxes()
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
    public async Task After_a_crash_the_sandboxes_processes_are_gone_the_restart_sweeps_their_cgroups_and_they_resume_with_their_files()
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
        // init exits when the daemon's end of its control socket closes.
        for (int i = 0; i < 200 && Posix.ProcessExists(sandbox.InitPid); i++)
            await Task.Delay(25);
        Assert.False(Posix.ProcessExists(sandbox.InitPid));
        Assert.Contains(sandbox.Id, Cgroups());

        using (var restarted = new DaemonProcess(root, ownsRoot: false))
        {
            Assert.False(Cgroups().Contains(sandbox.Id), restarted.Log);
            var record = await restarted.Client.GetAsync(sandbox.Id);
            Assert.Equal(SandboxState.Stopped, record.State);
            Assert.StartsWith("daemon restarted", record.StateCause, StringComparison.Ordinal);
            await restarted.Client.ResumeAsync(sandbox.Id);
            Assert.Equal("survived\n", (await restarted.Client.RunAsync(sandbox.Id, ["/bin/cat", "/home/sandbox/f"])).Stdout);
            await restarted.Client.DestroyAsync(sandbox.Id);
            var fresh = await restarted.Client.CreateAsync(new CreateRequest());
            Assert.Equal("ok\n", (await restarted.Client.RunAsync(fresh.Id, ["/bin/echo", "ok"])).Stdout);
        }
        Assert.Empty(Cgroups().Except(before));
    }

    private static HashSet<string> Cgroups() => TestCgroups.DaemonGroupIds();
}
