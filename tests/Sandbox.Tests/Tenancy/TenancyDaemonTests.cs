using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Sandboxd.Api.Client;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Tenancy;

/// <summary>A real daemon with a config of two tenants, called by two real uids over the Unix
/// socket (sandboxctl run under setpriv): each sees and acts on its own sandboxes, executions and
/// audit events only; other ids are NOT_FOUND; quotas refuse at their edge; SIGHUP reloads.</summary>
public sealed class TenancyDaemonTests
{
    private const int Group = 60200, Alice = 60201, Bob = 60202, Stranger = 60203;

    private static string Config(string extra = "") => $"""
        socketGroup: "{Group}"
        principals:
          - name: root
            roles: [admin]
            uids: [0]
          - name: alice
            roles: [Engineer]
            tenant: team-a
            uids: [{Alice}]
          - name: bob
            roles: [Engineer]
            tenant: team-b
            uids: [{Bob}]
        {extra}
        """;

    [RootFact]
    public async Task Two_uids_see_and_act_on_their_own_tenant_only()
    {
        using var world = new World(Config("""
            quotas:
              team-b: { sandboxes: 2, memory: 512M }
            """));
        var created = await world.Ctl(Alice, "create", "--memory", "128M");
        Assert.True(created.Code == 0, created.Stderr);
        var id = created.Stdout.Trim();
        Assert.Equal("mine\n", (await world.Ctl(Alice, "exec", id, "--", "/bin/echo", "mine")).Stdout);

        // Bob: the id does not exist for him, whatever he tries, exactly as a made-up one.
        foreach (var args in new[] { new[] { "get", id }, ["exec", id, "--", "/bin/true"], ["get", "sbx-000000000000"] })
        {
            var refused = await world.Ctl(Bob, args);
            Assert.Contains("NotFound: sandbox", refused.Stderr);
        }
        Assert.DoesNotContain(id, (await world.Ctl(Bob, "list", "--json")).Stdout);
        Assert.Contains("was already gone", (await world.Ctl(Bob, "destroy", id)).Stdout);
        // Nor its events, not even with another tenant's header.
        var bobsAudit = await world.Ctl(Bob, "audit", "query", "--sandbox", id, "--json");
        Assert.DoesNotContain("SandboxCreated", bobsAudit.Stdout);
        Assert.DoesNotContain("SandboxCreated", (await world.Ctl(Bob, "audit", "query", "--sandbox", id, "--json", "--tenant", "team-a")).Stdout);
        Assert.Contains("SandboxCreated", (await world.Ctl(Alice, "audit", "query", "--sandbox", id, "--json")).Stdout);
        Assert.Contains("ExecutionFinished", (await world.Ctl(Alice, "audit", "query", "--sandbox", id, "--json")).Stdout);

        // Still there for its owner and for the admin (root, the operator, sees all).
        Assert.Contains(id, (await world.Ctl(Alice, "list", "--json")).Stdout);
        Assert.Contains(id, (await world.Ctl(0, "list", "--json")).Stdout);
        Assert.Equal(0, (await world.Ctl(Alice, "destroy", id)).Code);

        // A uid the config does not name is nobody.
        Assert.Contains("Unauthenticated: uid " + Stranger, (await world.Ctl(Stranger, "list")).Stderr);
    }

    [RootFact]
    public async Task Another_tenants_executions_and_files_are_not_found_and_untouched()
    {
        using var world = new World(Config());
        var id = (await world.Ctl(Alice, "create")).Stdout.Trim();
        var started = await world.Ctl(Alice, "exec", "-d", id, "--", "/bin/sh", "-c", "echo alive; exec sleep 600");
        Assert.True(started.Code == 0, started.Stderr);
        var exec = started.Stdout.Trim();
        Assert.Equal(0, (await world.Ctl(Alice, "fs", "mkdir", id, "/tmp/private")).Code);

        // Bob: every verb on her execution and her files is NOT_FOUND for the sandbox, as for an id never made.
        foreach (var args in new[]
                 {
                     new[] { "ps", id }, ["attach", id, exec], ["kill", id, exec], ["kill", id, exec, "TERM"],
                     ["fs", "ls", id, "/tmp"], ["fs", "rm", id, "/tmp/private"],
                 })
        {
            var refused = await world.Ctl(Bob, args);
            Assert.NotEqual(0, refused.Code);
            Assert.Contains("NotFound: sandbox", refused.Stderr);
        }

        // Nothing of it moved: still running, its output whole, its directory there.
        var ps = await world.Ctl(Alice, "ps", id);
        Assert.Contains(exec, ps.Stdout);
        Assert.Contains("running", ps.Stdout);
        Assert.Contains("private", (await world.Ctl(Alice, "fs", "ls", id, "/tmp")).Stdout);
        Assert.Equal(0, (await world.Ctl(Alice, "kill", id, exec)).Code);
        var attach = await world.Ctl(Alice, "attach", id, exec);
        Assert.Equal("alive\n", attach.Stdout);
        Assert.Equal(0, (await world.Ctl(Alice, "destroy", id)).Code);
    }

    [RootFact]
    public async Task Quotas_admit_up_to_their_edge_and_name_what_is_over()
    {
        using var world = new World(Config("""
            quotas:
              team-b: { sandboxes: 2, memory: 512M }
              team-a: { sandboxes: 3, cpus: 1 }
            admission: { sandboxes: 4 }
            """));
        // Memory: 256M + 256M is exactly the quota; one more byte of it is over.
        var first = await world.Ctl(Bob, "create", "--memory", "256M");
        var second = await world.Ctl(Bob, "create", "--memory", "256M");
        Assert.True(first.Code == 0 && second.Code == 0, first.Stderr + second.Stderr);
        var third = await world.Ctl(Bob, "create", "--memory", "64M");
        Assert.Contains("ResourceExhausted: tenant team-b: quota sandboxes is 2; this create would exceed it by 1", third.Stderr);
        Assert.Equal(0, (await world.Ctl(Bob, "destroy", second.Stdout.Trim())).Code);
        var big = await world.Ctl(Bob, "create", "--memory", "300M");
        Assert.Contains($"ResourceExhausted: tenant team-b: quota memory is {512 << 20} bytes; this create would exceed it by {44 << 20} bytes", big.Stderr);

        // CPU: 0.5 + 0.5 fits 1 core; 0.25 more is over by 0.25.
        Assert.Equal(0, (await world.Ctl(Alice, "create", "--cpus", "0.5")).Code);
        Assert.Equal(0, (await world.Ctl(Alice, "create", "--cpus", "0.5")).Code);
        Assert.Contains("quota cpus is 1 cores; this create would exceed it by 0.25 cores", (await world.Ctl(Alice, "create", "--cpus", "0.25")).Stderr);
        Assert.Contains("quota cpus is 1 cores; a sandbox without a cpus limit does not fit", (await world.Ctl(Alice, "create")).Stderr);

        // The host: 4 sandboxes in all (bob 1, alice 2, root 1), whoever asks next is refused.
        Assert.Equal(0, (await world.Ctl(0, "create")).Code);
        Assert.Contains("ResourceExhausted: host admission: quota sandboxes is 4; this create would exceed it by 1", (await world.Ctl(0, "create")).Stderr);
    }

    /// <summary>A stopped sandbox's disk image still holds its disk: it counts against the disk
    /// quota (and nothing else) until destroyed, and a resume does not count it twice.</summary>
    [RootFact]
    public async Task A_stopped_sandbox_keeps_holding_its_disk_quota_until_destroyed()
    {
        using var world = new World(Config("""
            quotas:
              team-b: { sandboxes: 2, disk: 96M }
            """));
        var kept = (await world.Ctl(Bob, "create", "--disk", "64M")).Stdout.Trim();
        Assert.Equal(0, (await world.Ctl(Bob, "stop", kept)).Code);
        var over = await world.Ctl(Bob, "create", "--disk", "64M");
        Assert.Contains($"ResourceExhausted: tenant team-b: quota disk is {96 << 20} bytes; this create would exceed it by {32 << 20} bytes", over.Stderr);
        var small = await world.Ctl(Bob, "create", "--disk", "32M");
        Assert.True(small.Code == 0, small.Stderr);
        Assert.Equal(0, (await world.Ctl(Bob, "resume", kept)).Code); // 32M + its own 64M: exactly the quota
        Assert.Equal(0, (await world.Ctl(Bob, "destroy", kept)).Code);
        Assert.Equal(0, (await world.Ctl(Bob, "create", "--disk", "64M")).Code);
    }

    [RootFact]
    public async Task A_bad_reload_keeps_the_old_config_and_a_good_one_takes_effect()
    {
        using var world = new World(Config());
        Assert.Equal(0, (await world.Ctl(Alice, "list")).Code);

        await File.WriteAllTextAsync(world.ConfigPath, Config().Replace($"uids: [{Alice}]", "uids: [alice]"));
        world.Reload("config reload refused");
        Assert.Contains($"{world.ConfigPath}:9: principals[1].uids[0]: 'alice' is not a uid", world.Daemon.Log);
        Assert.Equal(0, (await world.Ctl(Alice, "list")).Code);

        await File.WriteAllTextAsync(world.ConfigPath, Config().Replace($"uids: [{Alice}]", $"uids: [{Stranger}]"));
        world.Reload("3 principals");
        Assert.Contains("Unauthenticated", (await world.Ctl(Alice, "list")).Stderr);
        Assert.Equal(0, (await world.Ctl(Stranger, "list")).Code);
    }

    [RootFact]
    public async Task A_bad_config_at_start_stops_the_daemon_naming_key_and_line()
    {
        using var root = new TempRoot();
        var path = Path.Combine(root.Path, "sandboxd.yaml");
        await File.WriteAllTextAsync(path, Config().Replace("tenant: team-b", "tenant: team-b\n    colour: blue"));
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sandboxd")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--config", path, "--socket", Path.Combine(root.RuntimeDir, "s.sock"), "--state-dir", root.StateDir, "--runtime-dir", root.RuntimeDir })
            start.ArgumentList.Add(a);
        using var daemon = Process.Start(start)!;
        var stderr = await daemon.StandardError.ReadToEndAsync();
        await daemon.WaitForExitAsync();
        Assert.Equal(2, daemon.ExitCode);
        Assert.Contains($"sandboxd: config: {path}:13: principals[2].colour: unknown key", stderr);
    }

    /// <summary>A daemon on a config file, and sandboxctl as any uid (setpriv, the socket's group).</summary>
    private sealed class World : IDisposable
    {
        private readonly TempRoot _root = new();

        public World(string config)
        {
            ConfigPath = Path.Combine(_root.Path, "sandboxd.yaml");
            File.WriteAllText(ConfigPath, config);
            Daemon = new DaemonProcess(_root, ownsRoot: false, ["--config", ConfigPath, "--warm-pool", "0", "--warm-egress", "0"]);
        }

        public string ConfigPath { get; }

        public DaemonProcess Daemon { get; }

        /// <summary>SIGHUP, then wait for the daemon to say it read the file (loaded or refused).</summary>
        public void Reload(string expected)
        {
            int before = Count(Daemon.Log, "config reload refused") + Count(Daemon.Log, "loaded:");
            Posix.Kill(Daemon.Pid, 1);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Count(Daemon.Log, "config reload refused") + Count(Daemon.Log, "loaded:") == before && DateTime.UtcNow < deadline)
                Thread.Sleep(20);
            Assert.Contains(expected, Daemon.Log);
        }

        private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

        public Task<Sandboxctl.Result> Ctl(int uid, params string[] args) => Sandboxctl.AsUidAsync(Daemon.Socket, uid, Group, args);

        public void Dispose()
        {
            Daemon.Dispose();
            _root.Dispose();
        }
    }
}
