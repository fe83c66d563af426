using Sandboxd.Api.V1;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Tests.Cgroups;
using Sandboxd.Tests.AuditApi;
using AuditKind = Sandboxd.Audit.Events.AuditKind;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Limits;

/// <summary>Limits hold against programs that try to exceed them, and the daemon says which
/// limit stopped them while it keeps serving others.</summary>
public sealed class ResourceLimitTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const long MiB = 1 << 20;

    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task A_fork_bomb_stops_at_the_pids_limit_and_the_daemon_keeps_answering()
    {
        await WithSandbox(new Resources { Pids = 32 }, async id =>
        {
            // Bounded: each shell forks until fork fails; `timeout` ends it whatever happens.
            var bomb = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "timeout 5 sh -c 'bomb() { bomb & bomb & wait; }; bomb' 2>/dev/null; echo done"], timeoutMs: 20000);
            Assert.True(bomb.Exit.PidsLimitHit, $"exit {bomb.Exit}");
            var usage = (await Daemon.Client.GetAsync(id)).Usage;
            Assert.True(usage.PidsLimitHits > 0);
            var hit = Assert.Single(await AuditOf(id, AuditKind.ResourcePidsLimit));
            Assert.Equal(bomb.Exit.ExecutionId, hit.ExecutionId);
            Assert.Equal("32", hit.Attributes["value"]);
            // Another sandbox is unaffected while this one is at its limit.
            await WithSandbox(null, async other =>
                Assert.Equal("fine\n", (await Daemon.Client.RunAsync(other, ["/bin/echo", "fine"])).Stdout));
        });
    }

    [RootFact]
    public async Task A_memory_hog_is_oom_killed_and_reported_as_oom()
    {
        await WithSandbox(new Resources { MemoryBytes = 64 * MiB }, async id =>
        {
            var hog = await Daemon.Client.RunAsync(id, ["/usr/bin/python3", "-c", "b = bytearray(512 << 20); print(len(b))"]);
            Assert.Equal(9, hog.Exit.Signal);
            Assert.True(hog.Exit.OomKilled, $"exit {hog.Exit}");
            Assert.True((await Daemon.Client.GetAsync(id)).Usage.OomKills >= 1);
            var oom = Assert.Single(await AuditOf(id, AuditKind.ResourceOomKilled));
            Assert.Equal(hog.Exit.ExecutionId, oom.ExecutionId);
            Assert.Equal("memory_bytes", oom.Attributes["limit"]);
            var after = await Daemon.Client.RunAsync(id, ["/bin/echo", "alive"]);
            Assert.Equal("alive\n", after.Stdout);
        });
    }

    [RootFact]
    public async Task A_disk_filler_gets_enospc_at_the_limit_and_nothing_lands_on_the_host()
    {
        await WithSandbox(new Resources { DiskBytes = 32 * MiB }, async id =>
        {
            var fill = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "dd if=/dev/zero of=$HOME/fill bs=1M count=64 2>&1; echo rc=$?; du -m $HOME/fill | cut -f1"]);
            Assert.Contains("No space left on device", fill.Stdout, StringComparison.Ordinal);
            Assert.Contains("rc=1", fill.Stdout, StringComparison.Ordinal);
            var written = int.Parse(fill.Stdout.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(written, 1, 32);
            Assert.Empty(Directory.EnumerateFiles(Daemon.Root.Path, "fill", SearchOption.AllDirectories));
        });
    }

    /// <summary>/tmp is as large as the disk, capped by the memory limit (TmpSize): a bigger
    /// --disk gives a bigger /tmp (it was 256 MiB whatever the disk), and /tmp still ends in ENOSPC.</summary>
    [RootFact]
    public async Task Tmp_is_sized_from_the_disk_capped_by_memory_and_fills_up_with_enospc()
    {
        await WithSandbox(new Resources { DiskBytes = 512 * MiB }, async id =>
            Assert.Equal(512 * MiB, await TmpBytesInside(id)));
        await WithSandbox(new Resources { DiskBytes = 512 * MiB, MemoryBytes = 128 * MiB }, async id =>
            Assert.Equal(128 * MiB, await TmpBytesInside(id)));
        await WithSandbox(new Resources { DiskBytes = 32 * MiB }, async id =>
        {
            Assert.Equal(32 * MiB, await TmpBytesInside(id));
            var fill = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>&1; echo rc=$?; du -m /tmp/fill | cut -f1"]);
            Assert.Contains("No space left on device", fill.Stdout, StringComparison.Ordinal);
            var written = int.Parse(fill.Stdout.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(written, 1, 32);
        });
    }

    /// <summary>statfs(/tmp) from inside: blocks × block size.</summary>
    private async Task<long> TmpBytesInside(string id)
    {
        var stat = await Daemon.Client.RunAsync(id, ["/usr/bin/stat", "-f", "-c", "%b %S", "/tmp"]);
        var parts = stat.Stdout.Trim().Split(' ');
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [RootFact]
    public async Task A_busy_loop_is_throttled_to_its_cpu_quota()
    {
        // A fifth of a core: the loop uses that up each period even while other work shares the 2 cores.
        const double Quota = 0.2;
        await WithSandbox(new Resources { Cpus = Quota }, async id =>
        {
            var bandwidth = CpuBandwidth.Of(TestCgroups.DaemonManager(), CgroupName.For(id));
            Assert.Equal("20000 100000", bandwidth.Quota);
            var throttledBefore = bandwidth.NrThrottled;

            var loop = await Daemon.Client.RunAsync(id, ["/usr/bin/timeout", "2", "/bin/sh", "-c", "while :; do :; done"]);
            var cpu = TimeSpan.FromMicroseconds(loop.Exit.UserCpuUs + loop.Exit.SystemCpuUs);
            var wall = TimeSpan.FromMicroseconds(loop.Exit.WallTimeUs);

            Assert.True(bandwidth.NrThrottled > throttledBefore, "never throttled");
            Assert.True(cpu > TimeSpan.Zero, "the loop never ran");
            Assert.True(cpu <= CpuBandwidth.MaxUsage(Quota, wall), $"used {cpu} in {wall}, more than the quota allows ({CpuBandwidth.MaxUsage(Quota, wall)})");
        });
    }

    [RootFact]
    public async Task Limits_are_reported_and_bad_ones_refused_with_the_field()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest { Resources = new Resources { MemoryBytes = 128 * MiB, Pids = 64, Cpus = 1.5 } });
        try
        {
            var got = await Daemon.Client.GetAsync(sandbox.Id);
            Assert.Equal(128 * MiB, got.Limits.MemoryBytes);
            Assert.Equal(64, got.Limits.Pids);
            Assert.Equal(1.5, got.Limits.Cpus);
            Assert.True(got.Usage.PidsCurrent >= 1);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
        var bad = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            Daemon.Client.CreateAsync(new CreateRequest { Resources = new Resources { MemoryBytes = 1024 } }));
        Assert.StartsWith("resources.memory_bytes:", bad.Status.Detail, StringComparison.Ordinal);
        var profile = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            Daemon.Client.CreateAsync(new CreateRequest { Profile = "lax" }));
        Assert.StartsWith("profile:", profile.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>The sandbox's events of one kind, as the operator sees them.</summary>
    private async Task<List<AuditEvent>> AuditOf(string sandboxId, AuditKind kind)
    {
        using var audit = AuditApiClients.Audit(Daemon);
        return await audit.ForSandboxAsync(sandboxId, (int)kind);
    }

    private async Task WithSandbox(Resources? resources, Func<string, Task> body)
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest { Resources = resources });
        try
        {
            await body(sandbox.Id);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }
}
