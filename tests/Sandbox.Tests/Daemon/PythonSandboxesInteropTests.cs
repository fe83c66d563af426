using System.Text.Json;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>The real daemon driven by Debian's python3-grpcio: unary and streaming methods,
/// error statuses, a deadline, the message size limit.</summary>
public sealed class PythonSandboxesInteropTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task Python_creates_streams_output_from_and_destroys_a_sandbox()
    {
        var result = await PythonGrpcClient.RunAsync(Daemon.Socket, "sandbox_lifecycle");
        Assert.Equal("py-interop", result.GetProperty("created").GetProperty("hostname").GetString());
        Assert.Equal((int)SandboxState.Running, result.GetProperty("got").GetProperty("state").GetInt32());
        var messages = result.GetProperty("messages").EnumerateArray().ToList();
        Assert.Contains(messages, m => m.TryGetProperty("stdout", out var o) && o.GetString() == "out\n");
        Assert.Contains(messages, m => m.TryGetProperty("stderr", out var e) && e.GetString() == "err\n");
        Assert.Equal(7, messages[^1].GetProperty("exit").GetProperty("exit_code").GetInt32());
        Assert.True(result.GetProperty("destroyed").GetBoolean());
    }

    [RootFact]
    public async Task Python_sees_not_found_and_deadline_exceeded()
    {
        var missing = await PythonGrpcClient.RunAsync(Daemon.Socket, "unary_error", "id=sbx-000000000000");
        Assert.Equal("NOT_FOUND", missing.GetProperty("code").GetString());
        Assert.Equal("sandbox sbx-000000000000 not found", missing.GetProperty("details").GetString());

        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            var late = await PythonGrpcClient.RunAsync(Daemon.Socket, "exec_deadline", "id=" + sandbox.Id, "timeout=0.5");
            Assert.Equal("DEADLINE_EXCEEDED", late.GetProperty("code").GetString());
            var ok = await Daemon.Client.RunAsync(sandbox.Id, ["/bin/echo", "after"]);
            Assert.Equal("after\n", ok.Stdout);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Python_sees_the_4_MiB_limit_and_unknown_methods()
    {
        var oversized = await PythonGrpcClient.RunAsync(Daemon.Socket, "oversized");
        Assert.Equal("RESOURCE_EXHAUSTED", oversized.GetProperty("code").GetString());
        var unknown = await PythonGrpcClient.RunAsync(Daemon.Socket, "unknown_method");
        Assert.Equal("UNIMPLEMENTED", unknown.GetProperty("code").GetString());
        Assert.Equal("unknown method /sandbox.v1.Sandboxes/NoSuchMethod", unknown.GetProperty("details").GetString());
    }
}
