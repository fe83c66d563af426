using System.Security.Cryptography;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Cgroups;
using Sandboxd.Tests.Network;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>Surviving the daemon: after kill -9 the next daemon re-adopts running sandboxes (same id,
/// init, files, limits and egress policy); SIGTERM leaves them running unless --destroy-on-exit;
/// a kill -9 in the middle of concurrent creates and executions leaves every sandbox running and
/// usable or cleanly gone, with no mount, cgroup, loop device, veth, nft table or process behind.</summary>
public sealed class ReadoptionTests
{
    private const long MiB = 1 << 20;
    private const string Curl = "/usr/bin/curl";

    [RootFact]
    public async Task A_running_sandbox_with_files_egress_and_a_memory_limit_is_readopted_after_kill_9()
    {
        var tag = "sbxt" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var block = RandomNumberGenerator.GetInt32(1, 255);
        var host = await TestHost.StartAsync(tag, block);
        var dnsMap = Path.Combine(Path.GetTempPath(), tag + ".dnsmap");
        using var root = new TempRoot();
        try
        {
            host.ServeTcp(443, TestServers.HttpsAsync);
            await File.WriteAllTextAsync(dnsMap, $"allowed.test {host.Address}\ndenied.test {host.Address}\n");
            string[] args = ["--dns-map", dnsMap, "--egress-table", tag, "--egress-pool", $"10.213.{block}.0/24", "--warm-pool", "0", "--warm-egress", "0"];
            var policy = new EgressPolicy { AllowDomains = { "allowed.test" }, AllowCidrs = { host.Cidr }, AllowPorts = { 443 } };
            Sandbox sandbox;
            using (var first = new DaemonProcess(root, ownsRoot: false, args))
            {
                sandbox = await first.Client.CreateAsync(new CreateRequest
                {
                    Resources = new Resources { MemoryBytes = 64 * MiB },
                    Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = policy },
                });
                await first.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "echo kept > $HOME/f"]);
                first.Crash();
            }
            Assert.True(Alive(sandbox.InitPid), "init died with the daemon");

            using var second = new DaemonProcess(root, ownsRoot: false, args);
            var again = await second.Client.GetAsync(sandbox.Id);
            Assert.True(again.State == SandboxState.Running, $"{again.State} ({again.StateCause})\n{second.Log}");
            Assert.Equal(sandbox.InitPid, again.InitPid);
            Assert.Equal("kept\n", (await second.Client.RunAsync(sandbox.Id, ["/bin/cat", "/home/user/f"])).Stdout);
            var hog = await second.Client.RunAsync(sandbox.Id, ["/usr/bin/python3", "-c", "b = bytearray(512 << 20); print(len(b))"]);
            Assert.True(hog.Exit.OomKilled, $"exit {hog.Exit}");
            var allowed = await second.Client.RunAsync(sandbox.Id, [Curl, "-sS", "-k", "--max-time", "5", "https://allowed.test/"]);
            Assert.True(allowed.Exit.ExitCode == 0, allowed.Stderr + second.Log);
            Assert.Equal("hello from allowed.test\n", allowed.Stdout);
            var denied = await second.Client.RunAsync(sandbox.Id,
                [Curl, "-sS", "-k", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_connect}", "https://denied.test/"]);
            Assert.Equal("403", denied.Stdout);
            await second.Client.DestroyAsync(sandbox.Id);
            Assert.True(TestCgroups.Poll(() => !Alive(sandbox.InitPid), TimeSpan.FromSeconds(5)), "init outlived its destroy");
        }
        finally
        {
            File.Delete(dnsMap);
            await host.DisposeAsync();
        }
        NoHostLeftovers(root);
        await NetworkTestBed.AssertNoLeaksAsync(tag, block);
    }

    [RootFact]
    public async Task Sigterm_leaves_sandboxes_running_for_the_next_daemon_and_destroy_on_exit_destroys_them()
    {
        using var root = new TempRoot();
        Sandbox kept;
        using (var first = new DaemonProcess(root, ownsRoot: false, ["--warm-pool", "0", "--warm-egress", "0"], destroyOnExit: false))
        {
            kept = await first.Client.CreateAsync(new CreateRequest());
            await first.Client.RunAsync(kept.Id, ["/bin/sh", "-c", "echo before > $HOME/f"]);
            first.Stop();
            Assert.True(first.ExitCode == 0, first.Log);
        }
        Assert.True(Alive(kept.InitPid), "SIGTERM without --destroy-on-exit ended the sandbox");
        Assert.Contains(kept.Id, TestCgroups.DaemonGroupIds());

        Sandbox destroyed;
        using (var second = new DaemonProcess(root, ownsRoot: false, ["--warm-pool", "0", "--warm-egress", "0"]))
        {
            var again = await second.Client.GetAsync(kept.Id);
            Assert.Equal(SandboxState.Running, again.State);
            Assert.Equal(kept.InitPid, again.InitPid);
            Assert.Equal("before\n", (await second.Client.RunAsync(kept.Id, ["/bin/cat", "/home/user/f"])).Stdout);
            destroyed = await second.Client.CreateAsync(new CreateRequest());
            second.Stop(); // --destroy-on-exit (DaemonProcess's default)
            Assert.True(second.ExitCode == 0, second.Log);
        }
        foreach (var sandbox in new[] { kept, destroyed })
        {
            Assert.True(TestCgroups.Poll(() => !Alive(sandbox.InitPid), TimeSpan.FromSeconds(5)), $"{sandbox.Id} outlived --destroy-on-exit");
            Assert.DoesNotContain(sandbox.Id, TestCgroups.DaemonGroupIds());
        }
        NoHostLeftovers(root);
    }

    [RootFact]
    public async Task A_kill_9_during_concurrent_creates_and_executions_leaves_each_sandbox_running_and_usable_or_cleanly_gone()
    {
        var cgroupsBefore = TestCgroups.DaemonGroupIds();
        var vethsBefore = Veths();
        using var root = new TempRoot();
        var tag = "sbxt" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var block = RandomNumberGenerator.GetInt32(1, 255);
        // Its own nft table and address block; the warm pools stay on, so prepared sandboxes are in the crash too.
        string[] args = ["--egress-table", tag, "--egress-pool", $"10.213.{block}.0/24"];
        var created = new System.Collections.Concurrent.ConcurrentBag<Sandbox>();
        using (var first = new DaemonProcess(root, ownsRoot: false, args))
        {
            using var started = new SemaphoreSlim(0);
            var work = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            {
                try
                {
                    var network = i % 5 == 0 ? new NetworkConfig { Mode = NetworkMode.Egress, Policy = new EgressPolicy() } : null;
                    var sandbox = await first.Client.CreateAsync(new CreateRequest { Network = network });
                    created.Add(sandbox);
                    started.Release();
                    for (int n = 0; n < 20; n++)
                        await first.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", $"echo {n} >> $HOME/log; sleep 0.0{n % 10}"]);
                }
                catch (RpcException)
                {
                    // The daemon died under it: what became of the sandbox is checked below.
                }
            })).ToArray();
            // Mid-flight: some sandboxes made and running commands, more on the way.
            for (int i = 0; i < 10; i++)
                await started.WaitAsync(TimeSpan.FromSeconds(60));
            first.Crash();
            await Task.WhenAll(work);
        }
        Assert.NotEmpty(created);

        // No pool this time: every sandbox cgroup it has is then one it found.
        using (var second = new DaemonProcess(root, ownsRoot: false, [.. args, "--warm-pool", "0", "--warm-egress", "0"]))
        {
            var listed = (await second.Client.ListAsync()).Sandboxes.ToList();
            foreach (var sandbox in listed)
            {
                // Running and usable, or cleanly gone; never half-there (stopped means "could not re-adopt").
                Assert.True(sandbox.State == SandboxState.Running, $"{sandbox.Id}: {sandbox.State} ({sandbox.StateCause})\n{second.Log}");
                Assert.Equal("ok\n", (await second.Client.RunAsync(sandbox.Id, ["/bin/echo", "ok"])).Stdout);
            }
            foreach (var sandbox in created)
                Assert.Contains(sandbox.Id, listed.Select(s => s.Id)); // a create that answered was running: re-adopted
            foreach (var sandbox in created.Where(s => s.Network?.Mode == NetworkMode.Egress))
                Assert.Equal(NetworkMode.Egress, (await second.Client.GetAsync(sandbox.Id)).Network.Mode);
            // Every sandbox cgroup on the host now is a listed one: the half-made ones are gone.
            Assert.Empty(TestCgroups.DaemonGroupIds().Except(cgroupsBefore).Except(listed.Select(s => s.Id)));
            foreach (var sandbox in listed)
                await second.Client.DestroyAsync(sandbox.Id);
        }
        foreach (var sandbox in created)
            Assert.True(TestCgroups.Poll(() => !Alive(sandbox.InitPid), TimeSpan.FromSeconds(5)), $"init of {sandbox.Id} left behind");
        Assert.Empty(TestCgroups.DaemonGroupIds().Except(cgroupsBefore));
        Assert.Empty(Veths().Except(vethsBefore));
        NoHostLeftovers(root);
        await NetworkTestBed.AssertNoLeaksAsync(tag, block);
    }

    /// <summary>A process that has not exited (a zombie waiting for the host's init to reap it has).</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Host-side veths of egress sandboxes (sbx&lt;8 hex&gt;h).</summary>
    private static HashSet<string> Veths() =>
        Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Where(n => n!.StartsWith("sbx", StringComparison.Ordinal)).ToHashSet()!;

    /// <summary>No mount of, and no loop device on, anything under the test's root.</summary>
    private static void NoHostLeftovers(TempRoot root)
    {
        Assert.DoesNotContain(root.Path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        foreach (var backing in Directory.GetDirectories("/sys/block", "loop*").Select(d => Path.Combine(d, "loop", "backing_file")).Where(File.Exists))
        {
            string file;
            try
            {
                file = File.ReadAllText(backing);
            }
            catch (IOException)
            {
                continue;
            }
            Assert.DoesNotContain(root.Path, file, StringComparison.Ordinal);
        }
    }
}
