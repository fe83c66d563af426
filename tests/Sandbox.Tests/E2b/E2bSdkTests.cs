using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.E2b;

/// <summary>One daemon with --e2b-listen on loopback and no config (any X-API-KEY is root),
/// shared by the scenarios: each is a node program using E2B's SDK unchanged.</summary>
public sealed class E2bDaemon : IDisposable
{
    public E2bDaemon()
    {
        Port = E2bSdk.FreeLoopbackPort();
        Daemon = new DaemonProcess(["--e2b-listen", $"127.0.0.1:{Port}", "--warm-pool", "1", "--warm-egress", "0"]);
    }

    public int Port { get; }

    public DaemonProcess Daemon { get; }

    public void Dispose() => Daemon.Dispose();
}

/// <summary>E2B's JavaScript SDK drives sandboxd: commands, terminals, files, timeouts, pause and
/// connect, list by metadata, health, unknown ids and wrong tokens, as its users write them.</summary>
public sealed class E2bSdkTests(E2bDaemon fixture) : IClassFixture<E2bDaemon>
{
    [RootFact]
    public Task Commands_stream_reattach_take_stdin_and_die_once() => Scenario("commands.mjs", 6);

    [RootFact]
    public Task A_pty_resizes_and_takes_input() => Scenario("pty.mjs", 2);

    [RootFact]
    public Task Files_write_read_list_move_remove_watch_and_signed_urls() => Scenario("files.mjs", 7);

    [RootFact]
    public Task Timeout_list_pause_connect_health_unknown_ids_and_wrong_tokens() => Scenario("lifecycle.mjs", 6);

    /// <summary>E2B's own SDK tests (packages/js-sdk/tests: commands, pty, files, timeout,
    /// connect, kill, metrics), rewritten in tests/e2b/sdk, every one passing.</summary>
    [RootFact]
    public async Task E2bs_sdk_test_suite_cases_pass()
    {
        var run = await E2bSdk.RunSuiteAsync(fixture.Port, "any-key-on-a-box-without-config");
        Assert.True(run.Code == 0, $"vitest failed:\n{run.Output}\n--- daemon ---\n{Tail(fixture.Daemon.Log)}");
        var summary = System.Text.RegularExpressions.Regex.Match(run.Output, @"Tests\s+(\d+) passed \((\d+)\)");
        Assert.True(summary.Success, run.Output);
        Assert.Equal(summary.Groups[2].Value, summary.Groups[1].Value);
        Assert.True(int.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 60, summary.Value);
    }

    [RootFact]
    public async Task Sdk_calls_are_audited_as_the_keys_principal()
    {
        await Scenario("pty.mjs", 2);
        var audit = await Sandboxctl.RunAsync(fixture.Daemon.Socket, null, "audit", "query", "--kind", "ExecutionStarted", "--json");
        Assert.True(audit.Code == 0, audit.Stderr);
        Assert.Contains("\"principal\": \"e2b:root\"", audit.Stdout);
        Assert.Contains("/bin/bash", audit.Stdout);
    }

    private async Task Scenario(string script, int checks)
    {
        var run = await E2bSdk.RunAsync(script, fixture.Port, "any-key-on-a-box-without-config");
        Assert.True(run.Code == 0, $"{script} failed:\n{run.Output}\n--- daemon ---\n{Tail(fixture.Daemon.Log)}");
        Assert.Equal(checks, run.Passed.Count);
    }

    private static string Tail(string log) => log.Length > 6000 ? log[^6000..] : log;
}
