using System.Globalization;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.AuditApi;
using Sandboxd.Tests.Network;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>The egress limits of a policy (connections, total bytes, bytes per second) against a
/// program inside a sandbox the real daemon made that tries to exceed each, through the proxy
/// its environment names, to a test host in the world's own netns. Only bytes and counts are
/// asserted: for the rate, an upper bound on what arrived in the time it took (a rate limit
/// guarantees a maximum, whatever the load; a slow box only makes the transfer smaller).</summary>
[Collection(EgressWorldCollection.Name)]
public sealed class EgressLimitsDaemonTests(EgressWorldFixture fixture)
{
    private const int NetworkDenied = 51;
    private const long MiB = 1 << 20;

    /// <summary>The relay's pipe (native/relay.c RELAY_PIPE_SIZE): without a rate it moves up to
    /// this much in one chunk, charged before it is sent, so the chunk that crosses the
    /// total-bytes limit is the most that can pass beyond it.</summary>
    private const long RelayChunkMax = 1 * MiB;

    private static readonly byte[] Script = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "NetworkDaemon", "tunnel_limits.py"));

    [RootFact]
    public async Task Tunnels_past_max_connections_are_refused_while_the_first_ones_are_held()
    {
        const int Limit = 4, Tried = 10;
        var world = await fixture.GetAsync();
        // The test host's HTTP server waits for a request that never comes: each tunnel stays open.
        await WithSandboxAsync(policy => { policy.AllowPorts.Add(80); policy.MaxConnections = Limit; }, async (client, audit, sandbox) =>
        {
            var codes = await RunAsync(client, sandbox, "hold", Tried.ToString(CultureInfo.InvariantCulture), $"{world.Host.Address}:80");
            Assert.Equal(string.Join(' ', Enumerable.Repeat("200", Limit).Concat(Enumerable.Repeat("429", Tried - Limit))), codes);
            var refused = await WaitForDenialsAsync(audit, sandbox.Id, "limit:connections", Tried - Limit);
            Assert.Equal(Tried - Limit, refused.Count);
        });
    }

    /// <summary>To the test host's address, not a name: a tunnel to a name waits for a TLS
    /// ClientHello naming it, and these sources speak first.</summary>
    [RootFact]
    public async Task A_transfer_past_max_total_bytes_is_cut_and_the_next_tunnel_refused()
    {
        const int Port = 9102, SourceMiB = 32;
        const long Limit = 1 * MiB;
        var world = await fixture.GetAsync();
        world.Host.ServeTcp(Port, TestServers.Source(SourceMiB));
        await WithSandboxAsync(policy => { policy.AllowPorts.Add(Port); policy.MaxTotalBytes = Limit; }, async (client, audit, sandbox) =>
        {
            var read = (await RunAsync(client, sandbox, "read", $"{world.Host.Address}:{Port}", "0")).Split(' ');
            Assert.Equal("200", read[0]);
            var received = long.Parse(read[1], CultureInfo.InvariantCulture);
            Assert.InRange(received, 1, Limit + RelayChunkMax);
            var cut = Assert.Single(await WaitForDenialsAsync(audit, sandbox.Id, "limit:total-bytes", 1));
            Assert.Equal(("connect", Port.ToString(CultureInfo.InvariantCulture)), (cut.Attributes["protocol"], cut.Attributes["port"]));
            Assert.InRange(long.Parse(cut.Attributes["bytes_down"], CultureInfo.InvariantCulture), received, Limit + RelayChunkMax);

            var next = await RunAsync(client, sandbox, "hold", "1", $"{world.Host.Address}:{Port}");
            Assert.Equal("429", next);
            Assert.Equal(2, (await WaitForDenialsAsync(audit, sandbox.Id, "limit:total-bytes", 2)).Count);
        });
    }

    [RootFact]
    public async Task A_fast_source_arrives_no_faster_than_max_bytes_per_second()
    {
        const int Port = 9103, SourceMiB = 64;
        const long Rate = 256 * 1024;
        // The relay charges each chunk (rate/16, native/relay.c) before it sends it and waits for
        // its slot after the one before: by time t at most rate × t plus the chunk in hand can
        // have passed, per direction. Four chunks of slack cover both directions and the
        // CONNECT head the proxy charges itself.
        const long Slack = 4 * (Rate / 16);
        var world = await fixture.GetAsync();
        world.Host.ServeTcp(Port, TestServers.Source(SourceMiB));
        await WithSandboxAsync(policy => { policy.AllowPorts.Add(Port); policy.MaxBytesPerSecond = Rate; }, async (client, _, sandbox) =>
        {
            var read = (await RunAsync(client, sandbox, "read", $"{world.Host.Address}:{Port}", "2")).Split(' ');
            Assert.Equal("200", read[0]);
            var received = long.Parse(read[1], CultureInfo.InvariantCulture);
            var seconds = double.Parse(read[2], CultureInfo.InvariantCulture);
            Assert.True(received > 0, "nothing arrived");
            var most = (long)(Rate * seconds) + Slack;
            Assert.True(received <= most, $"{received} bytes in {seconds:F3} s, more than {Rate} B/s allows ({most})");
        });
    }

    private static async Task<string> RunAsync(SandboxesClient client, Sandbox sandbox, params string[] args)
    {
        var output = await client.RunAsync(sandbox.Id, ["/usr/bin/python3", "-", .. args], Script, timeoutMs: 60000);
        Assert.True(output.Exit.ExitCode == 0, output.Stderr);
        return output.Stdout.TrimEnd('\n');
    }

    /// <summary>The sandbox's denials by one rule, once at least <paramref name="count"/> are in.</summary>
    private static async Task<List<AuditEvent>> WaitForDenialsAsync(AuditClient audit, string sandboxId, string rule, int count)
    {
        List<AuditEvent> found = [];
        for (int i = 0; i < 200 && found.Count < count; i++)
        {
            found = (await audit.ForSandboxAsync(sandboxId, NetworkDenied)).Where(e => e.Attributes["rule"] == rule).ToList();
            if (found.Count < count)
                await Task.Delay(50);
        }
        return found;
    }

    private async Task WithSandboxAsync(Action<EgressPolicy> limit, Func<SandboxesClient, AuditClient, Sandbox, Task> body) =>
        await (await fixture.GetAsync()).WithTenantSandboxAsync("limits-tenant", "trace-limits-1", body, limit);
}
