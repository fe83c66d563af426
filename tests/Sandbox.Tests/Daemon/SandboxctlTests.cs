using System.Text.Json;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>sandboxctl as a person or a script uses it: ids, tables, --json, live exec with
/// stdin passed through, the command's exit code, errors on stderr.</summary>
public sealed class SandboxctlTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task Create_exec_list_get_destroy_through_the_cli()
    {
        var created = await Ctl(null, "create", "--json", "--memory", "256M", "--pids", "128", "--cpus", "0.5");
        Assert.Equal(0, created.Code);
        var createdJson = JsonDocument.Parse(created.Stdout).RootElement;
        var id = createdJson.GetProperty("id").GetString()!;
        Assert.Equal("268435456", createdJson.GetProperty("limits").GetProperty("memoryBytes").GetString());
        Assert.Equal(0.5, createdJson.GetProperty("limits").GetProperty("cpus").GetDouble());
        try
        {
            var piped = await Ctl("x\n", "exec", id, "--", "cat");
            Assert.Equal((0, "x\n"), (piped.Code, piped.Stdout));

            var exitCode = await Ctl(null, "exec", id, "--env", "A=1", "--cwd", "/tmp", "--", "/bin/sh", "-c", "echo $A $(pwd); exit 5");
            Assert.Equal((5, "1 /tmp\n"), (exitCode.Code, exitCode.Stdout));

            var signalled = await Ctl(null, "exec", id, "--", "/bin/sh", "-c", "kill -KILL $$");
            Assert.Equal(137, signalled.Code);

            var missing = await Ctl(null, "exec", id, "--", "no-such-command");
            Assert.Equal(127, missing.Code);
            Assert.Contains("execve: ENOENT", missing.Stderr, StringComparison.Ordinal);

            var table = await Ctl(null, "list");
            Assert.StartsWith("ID", table.Stdout, StringComparison.Ordinal);
            Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
            var get = await Ctl(null, "get", id, "--json");
            Assert.Equal(id, JsonDocument.Parse(get.Stdout).RootElement.GetProperty("id").GetString());
        }
        finally
        {
            var destroyed = await Ctl(null, "destroy", id);
            Assert.Equal(0, destroyed.Code);
        }
        var gone = await Ctl(null, "exec", id, "--", "/bin/true");
        Assert.Equal(1, gone.Code);
        Assert.Contains("not found", gone.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Exec_says_when_the_memory_limit_killed_the_command_and_keeps_its_code()
    {
        var created = await Ctl(null, "create", "--memory", "64M");
        var id = created.Stdout.Trim();
        try
        {
            var hog = await Ctl(null, "exec", "--json", id, "--", "/usr/bin/python3", "-c", "b = bytearray(512 << 20)");
            Assert.Equal(137, hog.Code);
            var lines = hog.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("sandboxctl: command killed: out of memory (limit 64 MiB)", lines);
            var exit = JsonDocument.Parse(lines[^1]).RootElement;
            Assert.True(exit.GetProperty("oomKilled").GetBoolean());
            Assert.Equal(9, exit.GetProperty("signal").GetInt32());
            var fine = await Ctl(null, "exec", id, "--", "/bin/true");
            Assert.Equal((0, ""), (fine.Code, fine.Stderr));
        }
        finally
        {
            await Ctl(null, "destroy", id);
        }
    }

    [RootFact]
    public async Task Doctor_reports_every_layer_ready_on_this_host()
    {
        var doctor = await Ctl(null, "doctor", "--json");
        Assert.True(doctor.Code == 0, doctor.Stdout + doctor.Stderr);
        var checks = JsonDocument.Parse(doctor.Stdout).RootElement.EnumerateArray().ToList();
        foreach (var name in new[] { "root", "kernel", "namespaces", "overlay", "seccomp", "cgroups", "sbx-init" })
            Assert.Contains(checks, c => c.GetProperty("name").GetString() == name && c.GetProperty("ok").GetBoolean());
    }

    private async Task<(int Code, string Stdout, string Stderr)> Ctl(string? stdin, params string[] args)
    {
        var result = await Sandboxctl.RunAsync(Daemon.Socket, stdin, args);
        return (result.Code, result.Stdout, result.Stderr);
    }
}
