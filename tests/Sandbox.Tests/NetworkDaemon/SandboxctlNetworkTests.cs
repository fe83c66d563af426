using System.Text.Json;
using Sandboxd.Tests.Network;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>The CLI's network options: `create --network egress --allow-…` and `network update`.</summary>
[Collection(EgressWorldCollection.Name)]
public sealed class SandboxctlNetworkTests(EgressWorldFixture fixture)
{
    [RootFact]
    public async Task Create_with_egress_then_update_the_policy_through_the_cli()
    {
        var world = await fixture.GetAsync();
        var created = await Ctl(world, "create", "--json", "--network", "egress", "--allow-domain", "allowed.test",
            "--deny-domain", "denied.test", "--allow-cidr", world.Host.Cidr, "--allow-port", "443", "--transparent");
        Assert.True(created.Code == 0, created.Err);
        var json = JsonDocument.Parse(created.Out).RootElement;
        var id = json.GetProperty("id").GetString()!;
        try
        {
            var network = json.GetProperty("network");
            Assert.Equal("NETWORK_MODE_EGRESS", network.GetProperty("mode").GetString());
            Assert.True(network.GetProperty("transparent").GetBoolean());
            Assert.Equal(443u, network.GetProperty("policy").GetProperty("allowPorts")[0].GetUInt32());

            var updated = await Ctl(world, "network", "update", id, "--allow-domain", "other.test", "--allow-cidr", world.Host.Cidr,
                "--allow-port", "443", "--max-bytes-per-second", "1048576");
            Assert.True(updated.Code == 0, updated.Err);
            var policy = JsonDocument.Parse(updated.Out).RootElement;
            Assert.Equal("other.test", policy.GetProperty("allowDomains")[0].GetString());
            Assert.Equal("1048576", policy.GetProperty("maxBytesPerSecond").GetString());
            var fetched = await world.Daemon.Client.RunAsync(id, ["/usr/bin/curl", "-sS", "-k", "--max-time", "5", "https://other.test/"]);
            Assert.Equal("hello from other.test\n", fetched.Stdout);

            var bad = await Ctl(world, "network", "update", id, "--allow-cidr", "10.0.0.0/99");
            Assert.Equal(1, bad.Code);
            Assert.Contains("policy.allow_cidrs[0]", bad.Err, StringComparison.Ordinal);
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(id);
        }

        var refused = await Ctl(world, "create", "--allow-domain", "allowed.test");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("--network egress", refused.Err, StringComparison.Ordinal);
    }

    private static Task<(int Code, string Out, string Err)> Ctl(EgressWorld world, params string[] args) =>
        Shell.RunAsync(Path.Combine(AppContext.BaseDirectory, "sandboxctl"), ["--socket", world.Daemon.Socket, .. args], timeoutMs: 60_000);
}
