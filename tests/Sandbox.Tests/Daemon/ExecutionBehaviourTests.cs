using System.Text;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>What a user of a sandbox expects from Execute: live output, usage, and the programs
/// they expect to run (a compiler, python3 with its standard library, git).</summary>
public sealed class ExecutionBehaviourTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task Output_streams_while_the_command_is_still_running()
    {
        await WithSandbox(async id =>
        {
            // The command blocks until a second command creates /tmp/go, which the test only
            // does after it has received "first": buffered output would deadlock here.
            var request = new ExecuteRequest
            {
                SandboxId = id,
                Argv = { "/bin/sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.02; done; echo second" },
            };
            var seen = new StringBuilder();
            await foreach (var message in Daemon.Client.ExecuteAsync(request, TimeSpan.FromSeconds(30)))
            {
                seen.Append(message.Stdout.ToStringUtf8());
                if (seen.ToString() == "first\n")
                    await Daemon.Client.RunAsync(id, ["/usr/bin/touch", "/tmp/go"]);
                if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Exit)
                    Assert.Equal(0, message.Exit.ExitCode);
            }
            Assert.Equal("first\nsecond\n", seen.ToString());
        });
    }

    [RootFact]
    public async Task The_exit_status_carries_cpu_time_and_peak_memory()
    {
        await WithSandbox(async id =>
        {
            var output = await Daemon.Client.RunAsync(id, ["/usr/bin/python3", "-c",
                "b = bytearray(64 << 20)\nx = 0\nfor i in range(3_000_000): x += i\nprint(len(b))"]);
            Assert.Equal("67108864\n", output.Stdout);
            Assert.True(output.Exit.PeakMemoryBytes >= 64 << 20, $"peak {output.Exit.PeakMemoryBytes}");
            Assert.True(output.Exit.UserCpuUs > 0, "no user CPU time reported");
            Assert.True(output.Exit.WallTimeUs > 0);
            Assert.NotEmpty(output.Exit.ExecutionId);

            var killed = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", "kill -TERM $$"]);
            Assert.Equal(15, killed.Exit.Signal);
            Assert.Equal(-1, killed.Exit.ExitCode);
        });
    }

    [RootFact]
    public async Task A_compiler_python_and_git_work_in_the_writable_home()
    {
        await WithSandbox(async id =>
        {
            var c = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "printf '#include <stdio.h>\\nint main(void){puts(\"compiled\");return 0;}\\n' > hello.c && cc -o hello hello.c && ./hello"]);
            Assert.True(c.Exit.ExitCode == 0, c.Stderr);
            Assert.Equal("compiled\n", c.Stdout);

            var py = await Daemon.Client.RunAsync(id, ["python3", "-c",
                "import json, sqlite3, hashlib, subprocess; print(json.dumps({'ok': sqlite3.connect(':memory:').execute('select 1').fetchone()[0]}))"]);
            Assert.True(py.Exit.ExitCode == 0, py.Stderr);
            Assert.Equal("{\"ok\": 1}\n", py.Stdout);

            var git = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "git init -q repo && cd repo && echo hi > f && git add f && git -c user.name=t -c user.email=t@t commit -qm first && git log --format=%s"]);
            Assert.True(git.Exit.ExitCode == 0, git.Stderr);
            Assert.Equal("first\n", git.Stdout);
        });
    }

    [RootFact]
    public async Task Root_user_is_available_on_request_with_the_container_capabilities_only()
    {
        await WithSandbox(async id =>
        {
            var output = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", "id -u; grep CapEff /proc/self/status"], user: "root");
            Assert.Equal($"0\nCapEff:\t{Sandboxd.Tests.Isolation.RealProgramsInsideTests.ContainerRootCapEff}\n", output.Stdout);
            var unprivileged = await Daemon.Client.RunAsync(id, ["/bin/grep", "CapEff", "/proc/self/status"]);
            Assert.Equal("CapEff:\t0000000000000000\n", unprivileged.Stdout);
        });
    }

    [RootFact]
    public async Task Root_user_changes_the_images_files_in_its_sandbox_and_nowhere_else()
    {
        await WithSandbox(async id =>
        {
            // What a setup script does in E2B or Daytona: capabilities are not needed, owning the file is.
            var root = await Daemon.Client.RunAsync(id,
                ["/bin/sh", "-c", "echo '10.1.2.3 db' >> /etc/hosts && echo 'nameserver 10.1.2.53' > /etc/resolv.conf && echo ok"], user: "root");
            Assert.Equal(("ok\n", ""), (root.Stdout, root.Stderr));
            var user = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", "tail -n1 /etc/hosts; cat /etc/resolv.conf"]);
            Assert.Equal("10.1.2.3 db\nnameserver 10.1.2.53\n", user.Stdout);
        });
        var image = Path.Combine(Daemon.Root.StateDir, "images", "default", "etc");
        Assert.DoesNotContain("10.1.2.3", File.ReadAllText(Path.Combine(image, "hosts")), StringComparison.Ordinal);
        Assert.DoesNotContain("10.1.2.53", File.ReadAllText(Path.Combine(image, "resolv.conf")), StringComparison.Ordinal);
    }

    private async Task WithSandbox(Func<string, Task> body)
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
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
