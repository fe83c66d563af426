using Sandboxd.Tests.Support;
using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Sandboxd.Tests.Wire;

/// <summary>The server against an independent gRPC implementation: Debian's python3-grpcio,
/// driven by tests/interop/grpc_client.py.</summary>
public sealed class PythonInteropTests(WireTestServer server) : IClassFixture<WireTestServer>
{
    // Debian's interpreter, where apt installed grpcio; a pyenv python on PATH would lack it.
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task UnaryCallSucceeds()
    {
        JsonElement result = await RunScenario("unary_ok", "id=py-1");

        Assert.Equal("py-1", result.GetProperty("id").GetString());
        Assert.Equal("echo", result.GetProperty("hostname").GetString());
    }

    [Fact]
    public async Task ErrorStatusAndDetailsArriveDecoded()
    {
        JsonElement result = await RunScenario("unary_error", "id=missing");

        AssertStatus(result, "NOT_FOUND", TestSandboxesService.NotFoundMessage);
    }

    [Fact]
    public async Task ServerStreamingDeliversAllMessagesInOrder()
    {
        JsonElement result = await RunScenario("stream", "argv=count 4 20");

        string[] stdout = result.GetProperty("messages").EnumerateArray()
            .Where(m => m.TryGetProperty("stdout", out _))
            .Select(m => m.GetProperty("stdout").GetString() ?? string.Empty)
            .ToArray();
        Assert.Equal<string>(["line 0", "line 1", "line 2", "line 3"], stdout);
        Assert.Equal("exec-1", result.GetProperty("messages")[4].GetProperty("exit").GetProperty("execution_id").GetString());
    }

    [Fact]
    public async Task AnErrorMidStreamKeepsTheMessagesBeforeIt()
    {
        JsonElement result = await RunScenario("stream", "argv=fail-after 2");

        AssertStatus(result, "ABORTED", "failed after 2 messages");
    }

    [Fact]
    public async Task ADeadlineIsDeadlineExceeded()
    {
        JsonElement result = await RunScenario("deadline", "id=py-deadline", "timeout=0.3");

        Assert.Equal("DEADLINE_EXCEEDED", result.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnOversizedRequestIsResourceExhausted()
    {
        JsonElement result = await RunScenario("oversized");

        Assert.Equal("RESOURCE_EXHAUSTED", result.GetProperty("code").GetString());
        Assert.EndsWith("exceeds the limit of 4194304 bytes", result.GetProperty("details").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownMethodIsUnimplemented()
    {
        JsonElement result = await RunScenario("unknown_method");

        AssertStatus(result, "UNIMPLEMENTED", "unknown method /sandbox.v1.Sandboxes/NoSuchMethod");
    }

    private static void AssertStatus(JsonElement result, string code, string details)
    {
        Assert.Equal(code, result.GetProperty("code").GetString());
        Assert.Equal(details, result.GetProperty("details").GetString());
    }

    private Task<JsonElement> RunScenario(string scenario, params string[] args) =>
        PythonGrpcClient.RunAsync(server.SocketPath, scenario, args);
}
