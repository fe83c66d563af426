using Google.Protobuf;
using Sandboxd.Api.V1;
using Grpc.Core;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>Every bad input gets a clear status naming the field or step, and the daemon keeps
/// serving: each test ends by proving it still creates and runs a sandbox.</summary>
public sealed class BadInputTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task Empty_argv_is_invalid_and_names_the_field()
    {
        await WithSandbox(async id =>
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.RunAsync(id, []));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.StartsWith("argv:", e.Status.Detail, StringComparison.Ordinal);
        });
    }

    [RootFact]
    public async Task A_timeout_beyond_the_longest_timer_is_invalid_and_names_the_field()
    {
        await WithSandbox(async id =>
        {
            var e = await Assert.ThrowsAsync<RpcException>(() =>
                Daemon.Client.RunAsync(id, ["/bin/true"], timeoutMs: uint.MaxValue));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.StartsWith("timeout_ms: 4294967295 is beyond", e.Status.Detail, StringComparison.Ordinal);
            var longest = await Daemon.Client.RunAsync(id, ["/bin/echo", "ok"], timeoutMs: uint.MaxValue - 1);
            Assert.Equal("ok\n", longest.Stdout);
        });
    }

    [RootFact]
    public async Task Arguments_that_are_not_utf8_are_refused_naming_the_argument()
    {
        await WithSandbox(async id =>
        {
            // Hand-made: no client library sends a string field with bytes that are not UTF-8.
            byte[] Field(int number, byte[] value) => [(byte)(number << 3 | 2), (byte)value.Length, .. value];
            byte[] request = [.. Field(1, System.Text.Encoding.ASCII.GetBytes(id)), .. Field(2, "/bin/echo"u8.ToArray()),
                .. Field(2, [0x61, 0xff, 0xfe])];
            var reply = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/Execute", RawGrpc.Frame(request));
            Assert.Equal("3", reply.GrpcStatus);
            Assert.StartsWith("argv[1]: is not valid UTF-8", reply.Message, StringComparison.Ordinal);
            byte[] badEnv = [.. Field(1, System.Text.Encoding.ASCII.GetBytes(id)), .. Field(2, "/bin/true"u8.ToArray()),
                .. Field(3, [.. Field(1, "X"u8.ToArray()), .. Field(2, [0x62, 0xc3])])];
            var env = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/Execute", RawGrpc.Frame(badEnv));
            Assert.Equal(("3", "env[X]: is not valid UTF-8"), (env.GrpcStatus, env.Message));
            // U+FFFD itself is a character like any other.
            var replacement = await Daemon.Client.RunAsync(id, ["/bin/echo", "a\uFFFDb"]);
            Assert.Equal("a\uFFFDb\n", replacement.Stdout);
        });
    }

    [RootFact]
    public async Task Arguments_and_environment_beyond_inits_table_are_refused_naming_both()
    {
        await WithSandbox(async id =>
        {
            // PATH, HOME and LANG come on top of the request's own: 4,092 arguments are 4,095 strings.
            var tooMany = Enumerable.Repeat("a", 4091).Prepend("/bin/true").ToList();
            var e = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.RunAsync(id, tooMany));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Equal("argv: 4092 arguments and 3 environment variables; at most 4094 together", e.Status.Detail);
            var fits = await Daemon.Client.RunAsync(id, tooMany.Take(4091).ToList());
            Assert.Equal(0, fits.Exit.ExitCode);
        });
    }

    [RootFact]
    public async Task A_missing_binary_is_not_found_and_names_execve()
    {
        await WithSandbox(async id =>
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.RunAsync(id, ["/no/such/binary"]));
            Assert.Equal(StatusCode.NotFound, e.StatusCode);
            Assert.Contains("execve: ENOENT", e.Status.Detail, StringComparison.Ordinal);
            var bare = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.RunAsync(id, ["no-such-command"]));
            Assert.Contains("no-such-command", bare.Status.Detail, StringComparison.Ordinal);
        });
    }

    [RootFact]
    public async Task A_missing_working_directory_names_chdir()
    {
        await WithSandbox(async id =>
        {
            var request = new ExecuteRequest { SandboxId = id, Argv = { "/bin/true" }, Cwd = "/does/not/exist" };
            var e = await Assert.ThrowsAsync<RpcException>(async () => { await foreach (var _ in Daemon.Client.ExecuteAsync(request)) { } });
            Assert.Equal(StatusCode.NotFound, e.StatusCode);
            Assert.Contains("chdir: ENOENT", e.Status.Detail, StringComparison.Ordinal);
        });
    }

    [RootFact]
    public async Task Unknown_and_malformed_sandbox_ids()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.GetAsync("sbx-000000000000"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("sbx-000000000000", missing.Status.Detail, StringComparison.Ordinal);
        var exec = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.RunAsync("sbx-000000000000", ["/bin/true"]));
        Assert.Equal(StatusCode.NotFound, exec.StatusCode);
        var malformed = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.GetAsync("../../etc"));
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.StartsWith("id:", malformed.Status.Detail, StringComparison.Ordinal);
        Assert.False((await Daemon.Client.DestroyAsync("sbx-000000000000")).Existed);
        await WithSandbox(_ => Task.CompletedTask);
    }

    [RootFact]
    public async Task A_bad_image_path_is_invalid_and_leaves_nothing()
    {
        foreach (var image in new[] { "/no/such/image", "relative/dir", "/tmp/a,b" })
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.CreateAsync(new CreateRequest { Image = image }));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.StartsWith("image:", e.Status.Detail, StringComparison.Ordinal);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Daemon.Root.RuntimeDir, "scratch")));
        await WithSandbox(_ => Task.CompletedTask);
    }

    [RootFact]
    public async Task An_oversized_message_is_refused_with_resource_exhausted()
    {
        await WithSandbox(async id =>
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.RunAsync(id, ["/bin/cat"], stdin: new byte[5 << 20]));
            Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        });
    }

    [RootFact]
    public async Task A_malformed_protobuf_is_invalid_argument()
    {
        var garbage = RawGrpc.Frame([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
        var reply = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/Create", garbage);
        Assert.Equal(((int)StatusCode.InvalidArgument).ToString(System.Globalization.CultureInfo.InvariantCulture), reply.GrpcStatus);
        var unknown = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/Nope", RawGrpc.Frame([]));
        Assert.Equal(((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture), unknown.GrpcStatus);
        await WithSandbox(_ => Task.CompletedTask);
    }

    [RootFact]
    public async Task A_client_that_disconnects_mid_stream_has_its_command_killed()
    {
        await WithSandbox(async id =>
        {
            using var cancel = new CancellationTokenSource();
            var request = new ExecuteRequest { SandboxId = id, Argv = { "/bin/sh", "-c", "echo started; exec sleep 1000" } };
            var ex = await Record.ExceptionAsync(async () =>
            {
                await foreach (var message in Daemon.Client.ExecuteAsync(request, cancel: cancel.Token))
                    if (message.Stdout.ToStringUtf8().Contains("started", StringComparison.Ordinal))
                        await cancel.CancelAsync();
            });
            Assert.NotNull(ex);
            // The kill is asynchronous to the client: poll, bounded, for the sleep to be gone.
            string count = "";
            for (int i = 0; i < 100; i++)
            {
                count = (await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -c 'sleep 100[0]' || true"])).Stdout.Trim();
                if (count == "0")
                    break;
                await Task.Delay(50);
            }
            Assert.Equal("0", count);
        });
    }

    [RootFact]
    public async Task A_deadline_ends_the_call_and_kills_the_command()
    {
        await WithSandbox(async id =>
        {
            var e = await Assert.ThrowsAsync<RpcException>(() =>
                Daemon.Client.RunAsync(id, ["/bin/sleep", "1000"], deadline: TimeSpan.FromMilliseconds(500)));
            Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
            var timed = await Daemon.Client.RunAsync(id, ["/bin/sleep", "1000"], stdin: null, user: "", deadline: null,
                env: null, timeoutMs: 300);
            Assert.True(timed.Exit.TimedOut);
            Assert.Equal(9, timed.Exit.Signal);
        });
    }

    /// <summary>Runs body against a fresh sandbox, then proves the daemon still works.</summary>
    private async Task WithSandbox(Func<string, Task> body)
    {
        Assert.False(Daemon.HasExited, Daemon.Log);
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            await body(sandbox.Id);
            var ok = await Daemon.Client.RunAsync(sandbox.Id, ["/bin/echo", "still serving"]);
            Assert.Equal("still serving\n", ok.Stdout);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }
}
