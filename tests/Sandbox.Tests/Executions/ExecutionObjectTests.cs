using System.Text;
using Google.Protobuf;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Executions;

/// <summary>Executions as objects against a real daemon: they outlive a dropped stream, replay
/// from their ring (saying what wrapped away), take input, signals and kills of the whole tree.</summary>
public sealed class ExecutionObjectTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    private ExecutionsClient Executions => new(Daemon.Client.Connection);

    private static StartExecutionRequest Start(string id, string script, uint buffer = 0) =>
        new() { SandboxId = id, Argv = { "/bin/sh", "-c", script }, BufferBytes = buffer };

    private async Task<(string Stdout, string Stderr, List<Lost> Lost, ExitStatus? Exit)> AttachAllAsync(string id, string exec, ulong from = 0)
    {
        var (stdout, stderr, lost) = (new StringBuilder(), new StringBuilder(), new List<Lost>());
        await foreach (var m in Executions.AttachAsync(new AttachRequest { SandboxId = id, ExecutionId = exec, StdoutOffset = from }))
        {
            switch (m.PayloadCase)
            {
                case AttachResponse.PayloadOneofCase.Stdout: stdout.Append(m.Stdout.Data.ToStringUtf8()); break;
                case AttachResponse.PayloadOneofCase.Stderr: stderr.Append(m.Stderr.Data.ToStringUtf8()); break;
                case AttachResponse.PayloadOneofCase.Lost: lost.Add(m.Lost); break;
                case AttachResponse.PayloadOneofCase.Exit: return (stdout.ToString(), stderr.ToString(), lost, m.Exit);
            }
        }
        return (stdout.ToString(), stderr.ToString(), lost, null);
    }

    [RootFact]
    public async Task A_dropped_attach_loses_nothing_the_buffer_held_and_the_command_keeps_running()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            var exec = await Executions.StartAsync(Start(id, "echo one; while [ ! -e /tmp/go ]; do sleep 0.02; done; echo two; echo err >&2; exit 7"));
            using (var drop = new CancellationTokenSource())
            {
                await foreach (var m in Executions.AttachAsync(new AttachRequest { SandboxId = id, ExecutionId = exec.ExecutionId }, drop.Token))
                {
                    Assert.Equal("one\n", m.Stdout.Data.ToStringUtf8());
                    break; // the stream drops here
                }
            }
            await Daemon.Client.RunAsync(id, ["/usr/bin/touch", "/tmp/go"]);
            var again = await AttachAllAsync(id, exec.ExecutionId);
            Assert.Equal("one\ntwo\n", again.Stdout);
            Assert.Equal("err\n", again.Stderr);
            Assert.Empty(again.Lost);
            Assert.Equal(7, again.Exit!.ExitCode);
            var fromOffset = await AttachAllAsync(id, exec.ExecutionId, from: 4);
            Assert.Equal("two\n", fromOffset.Stdout);
            Assert.Equal(7, (await Executions.WaitAsync(id, exec.ExecutionId)).ExitCode);
        });
    }

    [RootFact]
    public async Task A_wrapped_buffer_reports_how_many_bytes_were_lost()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            // 10,000 bytes into a 4,096-byte ring.
            var exec = await Executions.StartAsync(Start(id, "head -c 10000 /dev/zero | tr '\\0' a; printf END", buffer: 4096));
            await Executions.WaitAsync(id, exec.ExecutionId);
            var seen = await AttachAllAsync(id, exec.ExecutionId);
            var lost = Assert.Single(seen.Lost);
            Assert.Equal("stdout", lost.Stream);
            Assert.Equal(10003UL - 4096, lost.Bytes);
            Assert.Equal(4096, seen.Stdout.Length);
            Assert.EndsWith("END", seen.Stdout, StringComparison.Ordinal);
        });
    }

    [RootFact]
    public async Task Input_goes_to_stdin_and_closing_it_ends_the_command()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            var exec = await Executions.StartAsync(Start(id, "tr a-z A-Z"));
            await Executions.Raw.SendInputAsync(new SendInputRequest { SandboxId = id, ExecutionId = exec.ExecutionId, Data = ByteString.CopyFromUtf8("hello\n") });
            await Executions.Raw.CloseStdinAsync(new ExecutionRef { SandboxId = id, ExecutionId = exec.ExecutionId });
            var seen = await AttachAllAsync(id, exec.ExecutionId);
            Assert.Equal("HELLO\n", seen.Stdout);
            Assert.Equal(0, seen.Exit!.ExitCode);
        });
    }

    [RootFact]
    public async Task Signal_reaches_the_command_and_Wait_reports_it()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            var exec = await StartAndWaitForAsync(id, "trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done", "ready\n");
            await Executions.SignalAsync(id, exec.ExecutionId, 15);
            var exit = await Executions.WaitAsync(id, exec.ExecutionId);
            Assert.Equal(42, exit.ExitCode);
        });
    }

    [RootFact]
    public async Task Kill_leaves_no_process_of_a_background_tree_with_a_double_forked_one()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            var exec = await StartAndWaitForAsync(id, "sh -c 'sleep 1001 &'; sleep 1002 & echo started; sleep 1003", "started\n");
            var before = await Daemon.Client.RunAsync(id, ["/bin/ps", "-eo", "args"]);
            Assert.Contains("sleep 1001", before.Stdout, StringComparison.Ordinal); // the one reparented to init
            // init's kill of the process group races the host-side sweep, so the count varies;
            // what matters is that nothing is left when the call returns.
            await Executions.KillAsync(id, exec.ExecutionId);
            var after = await Daemon.Client.RunAsync(id, ["/bin/ps", "-eo", "args"]);
            Assert.DoesNotContain("sleep 10", after.Stdout, StringComparison.Ordinal);
            Assert.Equal(9, (await Executions.WaitAsync(id, exec.ExecutionId)).Signal);

            // Its leader gone (init no longer knows it), what it left behind still goes.
            var orphan = await Executions.StartAsync(Start(id, "sh -c 'sleep 1004 &'; exit 0"));
            Assert.Equal(0, (await Executions.WaitAsync(id, orphan.ExecutionId)).ExitCode);
            Assert.Contains("sleep 1004", (await Daemon.Client.RunAsync(id, ["/bin/ps", "-eo", "args"])).Stdout, StringComparison.Ordinal);
            await Executions.KillAsync(id, orphan.ExecutionId);
            Assert.DoesNotContain("sleep 1004", (await Daemon.Client.RunAsync(id, ["/bin/ps", "-eo", "args"])).Stdout, StringComparison.Ordinal);
        });
    }

    [RootFact]
    public async Task Kill_reaches_a_process_that_left_the_session_with_setsid()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            // One leaves the session under its parent; the other is also orphaned (its subshell exits).
            var exec = await StartAndWaitForAsync(id, "setsid sleep 1011 & (setsid sleep 1012 &); echo started; sleep 1013", "started\n");
            // setsid execs sleep after its setsid(): once both sleeps show, both left the session.
            string ps = "";
            for (int i = 0; i < 200 && !(ps.Contains("sleep 1011", StringComparison.Ordinal) && ps.Contains("sleep 1012", StringComparison.Ordinal)); i++)
                ps = (await Daemon.Client.RunAsync(id, ["/bin/ps", "-eo", "sid,pid,args"])).Stdout;
            Assert.Contains("sleep 1011", ps, StringComparison.Ordinal);
            Assert.Contains("sleep 1012", ps, StringComparison.Ordinal);
            await Executions.KillAsync(id, exec.ExecutionId);
            var after = await Daemon.Client.RunAsync(id, ["/bin/ps", "-eo", "args"]);
            Assert.DoesNotContain("sleep 101", after.Stdout, StringComparison.Ordinal);
        });
    }

    /// <summary>Starts a script and returns once its stdout said <paramref name="line"/>.</summary>
    private async Task<ExecutionInfo> StartAndWaitForAsync(string id, string script, string line)
    {
        var exec = await Executions.StartAsync(Start(id, script));
        await foreach (var m in Executions.AttachAsync(new AttachRequest { SandboxId = id, ExecutionId = exec.ExecutionId }))
            if (m.Stdout?.Data.ToStringUtf8() == line)
                break;
        return exec;
    }

    [RootFact]
    public async Task An_unknown_execution_is_NOT_FOUND_naming_the_field()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => Executions.WaitAsync(id, "nope"));
            Assert.Equal(Grpc.Core.StatusCode.NotFound, e.StatusCode);
            Assert.StartsWith("execution_id", e.Status.Detail, StringComparison.Ordinal);
        });
    }
}
