using Sandboxd.Api.V1;
using Grpc.Core;
using Sandboxd.Tests.AuditApi;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>Egress through the real daemon: a sandbox allowed only allowed.test:443 runs curl,
/// which knows the proxy only from the environment the daemon gave the command. Every name
/// resolves (through the daemon's --dns-map) to a test host this class made.</summary>
[Collection(EgressWorldCollection.Name)]
public sealed class EgressDaemonTests(EgressWorldFixture fixture)
{
    private const string Curl = "/usr/bin/curl";

    [RootFact]
    public async Task The_allowed_name_is_reached_through_the_proxy_and_logged_with_its_bytes()
    {
        var world = await fixture.GetAsync();
        var sandbox = await world.CreateEgressAsync();
        try
        {
            Assert.Equal("MEDIUM", sandbox.Risk);
            Assert.Equal(NetworkMode.Egress, sandbox.Network.Mode);
            Assert.Equal(["allowed.test"], sandbox.Network.Policy.AllowDomains);

            var output = await world.Daemon.Client.RunAsync(sandbox.Id, [Curl, "-sS", "-k", "--max-time", "5", "https://allowed.test/"]);

            Assert.True(output.Exit.ExitCode == 0, output.Stderr);
            Assert.Equal("hello from allowed.test\n", output.Stdout);
            var line = await world.WaitForLogAsync(sandbox.Id, "connect allowed.test:443", "allowed by allowed-domain:allowed.test");
            Assert.Contains($"({world.Host.Address})", line, StringComparison.Ordinal);
            Assert.DoesNotContain(" 0 B up", line, StringComparison.Ordinal);
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task A_denied_name_gets_403_and_a_network_event()
    {
        var world = await fixture.GetAsync();
        var sandbox = await world.CreateEgressAsync();
        try
        {
            var output = await world.Daemon.Client.RunAsync(sandbox.Id,
                [Curl, "-sS", "-k", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_connect}", "https://denied.test/"]);

            Assert.NotEqual(0, output.Exit.ExitCode);
            Assert.Equal("403", output.Stdout);
            await world.WaitForLogAsync(sandbox.Id, "connect denied.test:443", "denied by denied-domain:denied.test");
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Each_decision_is_in_the_audit_record_with_its_verdict_reason_and_the_creators_correlation()
    {
        var world = await fixture.GetAsync();
        using var tenantClient = AuditApiClients.Sandboxes(world.Daemon, tenant: "net-tenant", traceId: "trace-net-1");
        var sandbox = await tenantClient.CreateAsync(new CreateRequest
        {
            Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = world.Policy },
        });
        try
        {
            await tenantClient.RunAsync(sandbox.Id, [Curl, "-sS", "-k", "--max-time", "5", "-o", "/dev/null", "https://allowed.test/"]);
            await tenantClient.RunAsync(sandbox.Id, [Curl, "-sS", "-k", "--max-time", "5", "-o", "/dev/null", "https://denied.test/"]);
            using var asTenant = AuditApiClients.Audit(world.Daemon, "net-tenant");
            var allowed = await asTenant.WaitForEventAsync(sandbox.Id, 50);
            var denied = await asTenant.WaitForEventAsync(sandbox.Id, 51);

            Assert.Equal("allowed.test", allowed.Attributes["destination"]);
            Assert.Equal("443", allowed.Attributes["port"]);
            Assert.Equal("true", allowed.Attributes["allowed"]);
            Assert.StartsWith("allowed-domain:allowed.test", allowed.Attributes["rule"], StringComparison.Ordinal);
            Assert.Equal(world.Host.Address.ToString(), allowed.Attributes["address"]);
            Assert.NotEqual("0", allowed.Attributes["bytes_down"]);
            Assert.Equal("denied.test", denied.Attributes["destination"]);
            Assert.Equal("false", denied.Attributes["allowed"]);
            Assert.Equal("denied-domain:denied.test", denied.Attributes["rule"]);
            foreach (var ev in new[] { allowed, denied })
            {
                Assert.Equal("net-tenant", ev.Tenant);
                Assert.Equal("uid:0", ev.Principal);
                Assert.Equal("trace-net-1", ev.TraceId);
            }
            using var otherTenant = AuditApiClients.Audit(world.Daemon, "someone-else");
            Assert.Empty((await otherTenant.QueryAsync(new AuditQueryRequest { SandboxId = sandbox.Id })).Events);
        }
        finally
        {
            await tenantClient.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task A_policy_update_governs_new_connections()
    {
        var world = await fixture.GetAsync();
        var sandbox = await world.CreateEgressAsync();
        try
        {
            string[] fetchOther = [Curl, "-sS", "-k", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_connect} %{http_code}", "https://other.test/"];
            var before = await world.Daemon.Client.RunAsync(sandbox.Id, fetchOther);
            Assert.Equal("403 000", before.Stdout);

            var policy = world.Policy;
            policy.AllowDomains.Add("other.test");
            var updated = await world.Daemon.Client.UpdateNetworkPolicyAsync(sandbox.Id, policy);
            Assert.Equal(["allowed.test", "other.test"], updated.Network.Policy.AllowDomains);
            Assert.Equal(updated.Network.Policy, (await world.Daemon.Client.GetAsync(sandbox.Id)).Network.Policy);

            var after = await world.Daemon.Client.RunAsync(sandbox.Id, fetchOther);
            Assert.True(after.Exit.ExitCode == 0, after.Stderr);
            Assert.Equal("200 200", after.Stdout);

            // And back: the narrower policy applies to the next connection again.
            await world.Daemon.Client.UpdateNetworkPolicyAsync(sandbox.Id, world.Policy);
            Assert.Equal("403 000", (await world.Daemon.Client.RunAsync(sandbox.Id, fetchOther)).Stdout);
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Transparent_mode_filters_a_client_that_ignores_the_proxy_variables()
    {
        var world = await fixture.GetAsync();
        var sandbox = await world.CreateEgressAsync(transparent: true);
        try
        {
            // --noproxy '*' and --resolve: curl connects straight to the test host's address.
            string[] Direct(string name) => [Curl, "-sS", "-k", "--max-time", "5", "--noproxy", "*",
                "--resolve", $"{name}:443:{world.Host.Address}", $"https://{name}/"];

            var allowed = await world.Daemon.Client.RunAsync(sandbox.Id, Direct("allowed.test"));
            Assert.True(allowed.Exit.ExitCode == 0, allowed.Stderr);
            Assert.Equal("hello from allowed.test\n", allowed.Stdout);

            var denied = await world.Daemon.Client.RunAsync(sandbox.Id, Direct("denied.test"));
            Assert.NotEqual(0, denied.Exit.ExitCode);
            Assert.DoesNotContain("hello", denied.Stdout, StringComparison.Ordinal);
            await world.WaitForLogAsync(sandbox.Id, "denied.test", "denied by denied-domain:denied.test");
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Transparent_mode_resolves_allowed_names_through_its_dns_stub_and_only_those()
    {
        var world = await fixture.GetAsync();
        await world.WithEgressAsync(async sandbox =>
        {
            // No proxy variables and no --resolve: curl asks the resolver of the sandbox's libc.
            var allowed = await world.Daemon.Client.RunAsync(sandbox.Id,
                [Curl, "-sS", "-k", "--max-time", "10", "--noproxy", "*", "https://allowed.test/"]);
            Assert.True(allowed.Exit.ExitCode == 0, allowed.Stderr);
            Assert.Equal("hello from allowed.test\n", allowed.Stdout);

            var lookups = await world.Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
                "getent ahostsv4 allowed.test | head -1; getent hosts denied.test; echo denied=$?"]);
            Assert.StartsWith(world.Host.Address.ToString(), lookups.Stdout, StringComparison.Ordinal);
            Assert.Contains("denied=2", lookups.Stdout, StringComparison.Ordinal);
            await world.WaitForLogAsync(sandbox.Id, "dns denied.test", "denied by denied-domain:denied.test");
        }, transparent: true);
    }

    [RootFact]
    public async Task Without_transparent_mode_a_lookup_inside_fails_and_the_proxy_still_resolves()
    {
        var world = await fixture.GetAsync();
        await world.WithEgressAsync(async sandbox =>
        {
            var lookup = await world.Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "getent hosts allowed.test; echo rc=$?"]);
            Assert.Equal("rc=2\n", lookup.Stdout);
            var viaProxy = await world.Daemon.Client.RunAsync(sandbox.Id, [Curl, "-sS", "-k", "--max-time", "5", "https://allowed.test/"]);
            Assert.Equal("hello from allowed.test\n", viaProxy.Stdout);
        });
    }

    [RootFact]
    public async Task A_bad_policy_is_invalid_and_names_the_field_and_none_mode_has_no_policy_to_update()
    {
        var world = await fixture.GetAsync();
        var policy = world.Policy;
        policy.AllowCidrs.Insert(0, "not-a-cidr");
        var bad = await Assert.ThrowsAsync<RpcException>(() => world.CreateEgressAsync(policy));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("network.policy.allow_cidrs[0]:", bad.Status.Detail, StringComparison.Ordinal);

        var port = world.Policy;
        port.AllowPorts.Add(70000);
        var badPort = await Assert.ThrowsAsync<RpcException>(() => world.CreateEgressAsync(port));
        Assert.StartsWith("network.policy.allow_ports[1]:", badPort.Status.Detail, StringComparison.Ordinal);

        var none = await world.Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            Assert.Equal(NetworkMode.None, none.Network.Mode);
            var e = await Assert.ThrowsAsync<RpcException>(() => world.Daemon.Client.UpdateNetworkPolicyAsync(none.Id, world.Policy));
            Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
            var badUpdate = new EgressPolicy { AllowDomains = { "bad name" } };
            Assert.Equal(StatusCode.NotFound,
                (await Assert.ThrowsAsync<RpcException>(() => world.Daemon.Client.UpdateNetworkPolicyAsync("sbx-000000000000", badUpdate))).StatusCode);
        }
        finally
        {
            await world.Daemon.Client.DestroyAsync(none.Id);
        }
    }
}
