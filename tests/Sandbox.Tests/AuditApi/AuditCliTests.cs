using System.Globalization;
using System.Text.Json;
using Sandboxd.Api.V1;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;
using StoredEvent = Sandboxd.Audit.Events.AuditEvent;
using StoredKind = Sandboxd.Audit.Events.AuditKind;

namespace Sandboxd.Tests.AuditApi;

/// <summary>`sandboxctl audit` as a script uses it: --json answers, a JSONL export of every page,
/// and verify's exit code naming the first bad cold segment.</summary>
public sealed class AuditCliTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task Query_and_export_find_a_sandboxs_events()
    {
        var id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        var run = await Daemon.Client.RunAsync(id, ["/bin/echo", "cli-marker"]);
        await Daemon.Client.DestroyAsync(id);

        var query = await Sandboxctl.RunAsync(Daemon.Socket, null, "audit", "query", "--sandbox", id, "--since", "10m", "--json");
        Assert.True(query.Code == 0, query.Stderr);
        var events = JsonDocument.Parse(query.Stdout).RootElement.GetProperty("events").EnumerateArray().ToList();
        // Created, started, the audited execve of /bin/echo, finished, destroyed, and the three
        // state changes (running, destroying, destroyed).
        Assert.Equal(8, events.Count);

        var byKind = await Sandboxctl.RunAsync(Daemon.Socket, null, "audit", "query", "--execution", run.Exit.ExecutionId,
            "--kind", "ExecutionFinished", "--text", "cli-marker");
        Assert.True(byKind.Code == 0, byKind.Stderr);
        Assert.StartsWith("TIME", byKind.Stdout, StringComparison.Ordinal);
        Assert.Contains("ExecutionFinished", byKind.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ExecutionStarted", byKind.Stdout, StringComparison.Ordinal);

        using var dir = new TempRoot();
        string file = Path.Combine(dir.Path, "audit.jsonl");
        var export = await Sandboxctl.RunAsync(Daemon.Socket, null, "audit", "export", "--out", file, "--sandbox", id);
        Assert.True(export.Code == 0, export.Stderr);
        var lines = File.ReadAllLines(file);
        Assert.Equal(8, lines.Length); // the same eight events
        Assert.All(lines, l => Assert.Equal(id, JsonDocument.Parse(l).RootElement.GetProperty("sandboxId").GetString()));

        var badKind = await Sandboxctl.RunAsync(Daemon.Socket, null, "audit", "query", "--kind", "NoSuchKind");
        Assert.Equal(2, badKind.Code);
        Assert.Contains("NoSuchKind", badKind.Stderr, StringComparison.Ordinal);

        var stats = await Sandboxctl.RunAsync(Daemon.Socket, null, "audit", "stats", "--json");
        Assert.True(JsonDocument.Parse(stats.Stdout).RootElement.GetProperty("emitted").GetString() is { } n && long.Parse(n, CultureInfo.InvariantCulture) >= 4);
    }

    [RootFact]
    public async Task Verify_passes_an_intact_chain_then_names_the_removed_and_the_tampered_segment()
    {
        using var root = new TempRoot();
        var cold = new ColdStore(Path.Combine(root.StateDir, "audit", "cold"));
        var old = DateTimeOffset.UtcNow.AddDays(-30);
        for (int segment = 0; segment < 3; segment++)
            cold.Seal([.. Enumerable.Range(0, 50).Select(i => new StoredEvent(i, old.AddMinutes(segment * 60 + i), StoredKind.ExecutionFinished,
                "sbx-cold", null, new Dictionary<string, string> { ["argv0"] = "cold-marker" }) { Id = $"cold-{segment}-{i}", Tenant = "default" })]);

        using var daemon = new DaemonProcess(root, ownsRoot: false);
        using var audit = AuditApiClients.Audit(daemon);
        var fromCold = await audit.QueryAsync(new AuditQueryRequest { Text = "cold-marker", Limit = 10 });
        Assert.Equal((10, "cold"), (fromCold.Events.Count, string.Join("+", fromCold.Tiers)));
        var ok = await Sandboxctl.RunAsync(daemon.Socket, null, "audit", "verify");
        Assert.True(ok.Code == 0, ok.Stderr);
        // Segments sealed before the daemon kept a chain head: it adopts their end on start.
        Assert.Contains("3 cold segments, chain intact up to the recorded head (segment 3)", ok.Stdout, StringComparison.Ordinal);

        // The newest segment goes together with its index line: the chain left still links, the head does not agree.
        string index = Path.Combine(root.StateDir, "audit", "cold", "index.jsonl");
        File.Delete(Path.Combine(root.StateDir, "audit", "cold", cold.Segments[2].File));
        File.WriteAllLines(index, File.ReadAllLines(index).Take(2));
        var removed = await Sandboxctl.RunAsync(daemon.Socket, null, "audit", "verify", "--json");
        Assert.Equal(1, removed.Code);
        Assert.Contains($"segment 3 ({cold.Segments[2].File}): removed", removed.Stderr, StringComparison.Ordinal);
        var verdict = JsonDocument.Parse(removed.Stdout).RootElement;
        Assert.Equal(("3", "3", false), (verdict.GetProperty("badSegment").GetString(), verdict.GetProperty("headSegment").GetString(),
            verdict.GetProperty("ok").GetBoolean()));

        string second = Path.Combine(root.StateDir, "audit", "cold", cold.Segments[1].File);
        var bytes = File.ReadAllBytes(second);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(second, bytes);
        var bad = await Sandboxctl.RunAsync(daemon.Socket, null, "audit", "verify");
        Assert.Equal(1, bad.Code);
        Assert.Contains($"segment 2 ({cold.Segments[1].File})", bad.Stderr, StringComparison.Ordinal);
    }
}
