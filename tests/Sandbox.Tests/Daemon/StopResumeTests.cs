using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>Stop and resume through the real daemon: files on the sandbox's on-disk layer survive
/// a stop and a daemon restart, config and network policy come back, the disk limit holds there,
/// and destroy from stopped removes what was kept.</summary>
public sealed class StopResumeTests
{
    private const long MiB = 1 << 20;

    [RootFact]
    public async Task Files_config_and_policy_survive_a_stop_and_a_daemon_restart_and_resume_brings_them_back()
    {
        using var root = new TempRoot();
        Sandbox sandbox;
        using (var first = new DaemonProcess(root, ownsRoot: false))
        {
            var create = new CreateRequest
            {
                Hostname = "keeper",
                Labels = { ["team"] = "blue" },
                Resources = new Resources { MemoryBytes = 128 * MiB, DiskBytes = 64 * MiB, Pids = 64 },
                Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = new EgressPolicy { AllowDomains = { "example.com" } } },
            };
            sandbox = await first.Client.CreateAsync(create);
            var wrote = await first.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
                "echo kept > $HOME/keep.txt && mkdir -p $HOME/dir && echo deep > $HOME/dir/f && echo gone > /tmp/gone && echo ok"]);
            Assert.Equal("ok\n", wrote.Stdout);
            var asRoot = await first.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "echo changed > /etc/motd-kept && echo ok"], user: "root");
            Assert.Equal("ok\n", asRoot.Stdout);

            var stopped = await first.Client.StopAsync(sandbox.Id);
            Assert.Equal(SandboxState.Stopped, stopped.State);
            Assert.Equal("stopped", stopped.StateCause);
            Assert.Equal(SandboxState.Stopped, (await first.Client.StopAsync(sandbox.Id)).State); // idempotent
            Assert.False(Posix.ProcessExists(sandbox.InitPid), "stop ends every process");
            var listed = Assert.Single((await first.Client.ListAsync()).Sandboxes, s => s.Id == sandbox.Id);
            Assert.Equal(SandboxState.Stopped, listed.State);
            var refused = await Assert.ThrowsAsync<RpcException>(() => first.Client.RunAsync(sandbox.Id, ["/bin/true"]));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("is stopped", refused.Status.Detail, StringComparison.Ordinal);
            // The files are in one image file of the disk limit's size, under the state dir.
            var image = DiskImage(root, sandbox.Id);
            Assert.Equal(64 * MiB, new FileInfo(image).Length);
            first.Stop();
        }

        using var second = new DaemonProcess(root, ownsRoot: false);
        var after = Assert.Single((await second.Client.ListAsync()).Sandboxes, s => s.Id == sandbox.Id);
        Assert.Equal(SandboxState.Stopped, after.State);
        Assert.Equal("stopped", after.StateCause);

        var resumed = await second.Client.ResumeAsync(sandbox.Id);
        Assert.Equal(SandboxState.Running, resumed.State);
        Assert.Equal("resumed", resumed.StateCause);
        Assert.NotEqual(sandbox.InitPid, resumed.InitPid);
        Assert.Equal(("keeper", "blue", 128 * MiB, 64 * MiB, 64L),
            (resumed.Hostname, resumed.Labels["team"], resumed.Limits.MemoryBytes, resumed.Limits.DiskBytes, resumed.Limits.Pids));
        Assert.Equal(NetworkMode.Egress, resumed.Network.Mode);
        Assert.Equal(["example.com"], resumed.Network.Policy.AllowDomains);
        Assert.Equal(SandboxState.Running, (await second.Client.ResumeAsync(sandbox.Id)).State); // idempotent

        var read = await second.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
            "cat $HOME/keep.txt $HOME/dir/f /etc/motd-kept; hostname; test -e /tmp/gone && echo tmp-kept; stat -c %U $HOME/keep.txt"]);
        Assert.Equal("kept\ndeep\nchanged\nkeeper\nuser\n", read.Stdout);

        Assert.True((await second.Client.StopAsync(sandbox.Id)).State == SandboxState.Stopped);
        Assert.True((await second.Client.DestroyAsync(sandbox.Id)).Existed);
        Assert.Equal(SandboxState.Destroyed, (await second.Client.GetAsync(sandbox.Id)).State);
        Assert.False(File.Exists(DiskImage(root, sandbox.Id)));
    }

    [RootFact]
    public async Task A_sandbox_made_from_spec_overrides_resumes_with_them_after_a_daemon_restart()
    {
        using var root = new TempRoot();
        // The CPU-time limit and the absent user namespace are the spec's, not the profile's.
        const string Probe = "ulimit -t; cat /proc/self/uid_map | tr -s ' '";
        const string Expected = "7\n 0 0 4294967295\n";
        Sandbox sandbox;
        using (var first = new DaemonProcess(root, ownsRoot: false))
        {
            sandbox = await first.Client.CreateAsync(new CreateRequest { Overrides = new SpecOverrides { CpuTimeSeconds = 7, UserNamespace = false } });
            Assert.Equal(Expected, (await first.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", Probe])).Stdout);
            Assert.Equal(SandboxState.Stopped, (await first.Client.StopAsync(sandbox.Id)).State);
            first.Stop();
        }

        using var second = new DaemonProcess(root, ownsRoot: false);
        Assert.Equal(SandboxState.Running, (await second.Client.ResumeAsync(sandbox.Id)).State);
        Assert.Equal(Expected, (await second.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", Probe])).Stdout);
        Assert.True((await second.Client.DestroyAsync(sandbox.Id)).Existed);
    }

    [RootFact]
    public async Task The_disk_limit_holds_on_the_on_disk_layer_and_what_fit_is_there_after_a_resume()
    {
        using var daemon = new DaemonProcess();
        var sandbox = await daemon.Client.CreateAsync(new CreateRequest { Resources = new Resources { DiskBytes = 32 * MiB } });
        var fill = await daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
            "dd if=/dev/zero of=$HOME/fill bs=1M count=64 2>&1; echo rc=$?; du -m $HOME/fill | cut -f1"]);
        Assert.Contains("No space left on device", fill.Stdout, StringComparison.Ordinal);
        var written = fill.Stdout.Trim().Split('\n')[^1];
        var image = DiskImage(daemon.Root, sandbox.Id);
        // Full inside; outside, one file that cannot grow past the limit.
        Assert.Equal(32 * MiB, new FileInfo(image).Length);
        Assert.True(AllocatedBytes(image) <= 32 * MiB, $"{AllocatedBytes(image)} bytes allocated");

        var stop = await Sandboxctl.RunAsync(daemon.Socket, null, "stop", sandbox.Id);
        Assert.Equal((0, $"{sandbox.Id} stopped\n"), (stop.Code, stop.Stdout));
        var resume = await Sandboxctl.RunAsync(daemon.Socket, null, "resume", sandbox.Id);
        Assert.Equal((0, $"{sandbox.Id} running\n"), (resume.Code, resume.Stdout));
        var again = await daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
            "du -m $HOME/fill | cut -f1; dd if=/dev/zero of=$HOME/more bs=1M count=8 2>&1 | grep -c 'No space'; " +
            "rm $HOME/fill $HOME/more && dd if=/dev/zero of=$HOME/y bs=1M count=8 2>/dev/null && echo room"]);
        Assert.Equal($"{written}\n1\nroom\n", again.Stdout);
        await daemon.Client.DestroyAsync(sandbox.Id);
        Assert.False(File.Exists(image));
    }

    /// <summary>The sandbox's disk (the warm pool's prepared sandboxes have theirs beside it).</summary>
    internal static string DiskImage(TempRoot root, string id) => Path.Combine(root.StateDir, "disks", id + ".ext4");

    /// <summary>What the host's filesystem holds for the file (st_blocks × 512).</summary>
    private static long AllocatedBytes(string path)
    {
        var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/stat", ["-c", "%b", path])
            { RedirectStandardOutput = true })!;
        var blocks = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return long.Parse(blocks, System.Globalization.CultureInfo.InvariantCulture) * 512;
    }
}
