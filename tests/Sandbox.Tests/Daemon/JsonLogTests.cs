using System.Text.Json;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>`--log-format json`: every line the daemon writes is one JSON object, and a line
/// written on behalf of an API call carries that call's request and trace ids.</summary>
public sealed class JsonLogTests
{
    [RootFact]
    public async Task Every_line_is_a_json_object_and_call_lines_carry_the_correlation_ids()
    {
        string log;
        using (var daemon = new DaemonProcess(["--log-format", "json", "--stage-timings"]))
        {
            var connection = SandboxdConnection.ForUnixSocket(daemon.Socket);
            connection.Headers.Add(SandboxdConnection.RequestHeader, "req-json-logs-1");
            connection.Headers.Add(SandboxdConnection.TraceHeader, "trace-json-logs-1");
            using var client = new SandboxesClient(connection);
            var sandbox = await client.CreateAsync(new CreateRequest());
            Assert.Equal("ok\n", (await client.RunAsync(sandbox.Id, ["/bin/echo", "ok"])).Stdout);
            await client.DestroyAsync(sandbox.Id);
            daemon.Stop();
            log = daemon.Log;
        }

        var lines = log.Split('\n').Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var objects = new List<JsonElement>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.True(doc.RootElement.ValueKind == JsonValueKind.Object, "not an object: " + line);
            foreach (var field in new[] { "time", "level", "category", "message" })
                Assert.True(doc.RootElement.TryGetProperty(field, out _), $"no {field}: {line}");
            objects.Add(doc.RootElement.Clone());
        }
        Assert.Contains(objects, o => o.GetProperty("message").GetString()!.StartsWith("sandboxd listening on", StringComparison.Ordinal));
        var correlated = objects.Where(o => o.TryGetProperty("request_id", out var r) && r.GetString() == "req-json-logs-1").ToList();
        Assert.True(correlated.Count > 0, "no line with the call's request id:\n" + log);
        Assert.All(correlated, o => Assert.Equal("trace-json-logs-1", o.GetProperty("trace_id").GetString()));
        Assert.Contains(correlated, o => o.GetProperty("message").GetString()!.StartsWith("sbx-stages", StringComparison.Ordinal));
    }
}
