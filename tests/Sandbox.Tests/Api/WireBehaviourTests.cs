using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Api;

/// <summary>What the transport does on the real daemon: deadlines enforced by the server, bad
/// bytes answered with a status, output streamed as it is written, many clients at once.</summary>
public sealed class WireBehaviourTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task The_server_enforces_grpc_timeout_with_no_client_timer_and_kills_the_command()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            var request = new ExecuteRequest { SandboxId = id, Argv = { "/bin/sleep", "1001" } };
            // A raw call: no client library, so nothing but the server can end it at the deadline.
            var reply = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/Execute", RawGrpc.Frame(request.ToByteArray()),
                new Dictionary<string, string> { ["grpc-timeout"] = "700m" });
            Assert.Equal(((int)StatusCode.DeadlineExceeded).ToString(System.Globalization.CultureInfo.InvariantCulture), reply.GrpcStatus);
            Assert.Equal("0", await CountProcessesAsync(id, "sleep 100[1]"));
        });
    }

    [RootFact]
    public async Task A_malformed_message_is_invalid_argument_naming_its_type()
    {
        var reply = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/Get", RawGrpc.Frame([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
        Assert.Equal("3", reply.GrpcStatus);
        Assert.StartsWith("malformed GetRequest:", reply.Message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [RootTheory]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 0x0A })]         // compressed, with no grpc-encoding
    [InlineData(new byte[] { 0, 0, 0, 0, 10, 0x0A })]        // shorter than its length says
    [InlineData(new byte[] { 0, 0, 0 })]                     // a cut header
    [InlineData(new byte[0])]                                // no message at all
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 })] // two messages for a unary call
    public async Task A_broken_frame_gets_an_error_status_and_the_daemon_keeps_serving(byte[] body)
    {
        var reply = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/Get", body);
        Assert.NotNull(reply.GrpcStatus);
        Assert.NotEqual("0", reply.GrpcStatus);
        Assert.DoesNotContain("Exception", reply.Message ?? "", StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [RootFact]
    public async Task Http11_and_foreign_content_types_are_refused_and_the_daemon_keeps_serving()
    {
        var http11 = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/List", RawGrpc.Frame([]), version: HttpVersion.Version11);
        Assert.Null(http11.GrpcStatus);
        Assert.NotEqual(HttpStatusCode.OK, http11.Http);
        var json = await RawGrpc.PostAsync(Daemon.Socket, "/sandbox.v1.Sandboxes/List", "{}"u8.ToArray(), contentType: "application/json");
        Assert.NotEqual("0", json.GrpcStatus);
        Assert.NotEqual(HttpStatusCode.OK, json.Http);
        await AssertStillServingAsync();
    }

    [RootFact]
    public async Task Output_reaches_the_client_while_the_command_still_runs()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            // The command finishes only once the test, having seen its first line, lets it.
            var request = new ExecuteRequest
            {
                SandboxId = id,
                Argv = { "/bin/sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.02; done; echo second" },
                TimeoutMs = 30_000,
            };
            var seen = new List<string>();
            await foreach (var message in Daemon.Client.ExecuteAsync(request))
            {
                if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Stdout)
                {
                    seen.Add(message.Stdout.ToStringUtf8());
                    if (seen.Count == 1)
                        await Daemon.Client.RunAsync(id, ["/bin/touch", "/tmp/go"]);
                }
                else if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Exit)
                {
                    Assert.False(message.Exit.TimedOut);
                }
            }
            Assert.Equal("first\n", seen[0]);
            Assert.Equal("first\nsecond\n", string.Concat(seen));
        });
    }

    [RootFact]
    public async Task Two_hundred_clients_at_once_are_all_answered()
    {
        await Daemon.WithSandboxAsync(async id =>
        {
            var calls = Enumerable.Range(0, 200).Select(async i =>
            {
                using var client = SandboxesClient.ForUnixSocket(Daemon.Socket);
                if (i % 10 == 0)
                    return (await client.RunAsync(id, ["/bin/echo", i.ToString(System.Globalization.CultureInfo.InvariantCulture)])).Stdout;
                return (await client.GetAsync(id)).Id;
            });
            var answers = await Task.WhenAll(calls);
            Assert.Equal(180, answers.Count(a => a == id));
            Assert.Equal(20, answers.Count(a => a.EndsWith('\n')));
        });
    }

    [RootFact]
    public void The_socket_is_a_socket_for_root_and_its_group_only()
    {
        var mode = File.GetUnixFileMode(Daemon.Socket);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    [RootFact]
    public async Task Sandboxctl_names_an_unreachable_daemon()
    {
        var missing = Path.Combine(Daemon.Root.Path, "no-such.sock");
        var result = await Sandboxctl.RunAsync(missing, null, "list");
        Assert.Equal(1, result.Code);
        Assert.StartsWith("sandboxctl: cannot reach sandboxd", result.Stderr, StringComparison.Ordinal);
    }

    private async Task<string> CountProcessesAsync(string id, string pattern)
    {
        // The kill is asynchronous to the client: poll, bounded, for the process to be gone.
        string count = "";
        for (int i = 0; i < 100; i++)
        {
            count = (await Daemon.Client.RunAsync(id,
                ["/bin/sh", "-c", $"cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -c '{pattern}' || true"])).Stdout.Trim();
            if (count == "0")
                break;
            await Task.Delay(50);
        }
        return count;
    }

    private async Task AssertStillServingAsync() => Assert.NotNull(await Daemon.Client.ListAsync());
}
