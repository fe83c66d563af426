using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.AuditApi;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>The bypass attempts of the proxy's unit tests (Network/*), made again from inside a
/// sandbox the real daemon created, by programs from the host's /usr that know the proxy only from
/// the environment the daemon gave them. Each verdict is read back through the Audit API, as the
/// tenant that created the sandbox, carrying that call's trace.</summary>
[Collection(EgressWorldCollection.Name)]
public sealed class EgressBypassDaemonTests(EgressWorldFixture fixture)
{
    private const int NetworkAllowed = 50;
    private const int NetworkDenied = 51;
    private const string Tenant = "bypass-tenant";
    private const string Trace = "trace-bypass-1";

    private static readonly byte[] SplitHelloScript = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "NetworkDaemon", "split_hello.py"));

    [RootFact]
    public async Task A_split_hello_for_another_name_in_a_connect_tunnel_is_cut_off_as_sni_mismatch() =>
        await AssertFrontingCutOffAsync("connect");

    [RootFact]
    public async Task A_split_hello_for_another_name_in_a_socks5_tunnel_is_cut_off_as_sni_mismatch() =>
        await AssertFrontingCutOffAsync("socks5");

    /// <summary>First the control (the same split hello for the tunnel's own name completes, so the
    /// script and the proxy's reassembly work), then the fronting attempt.</summary>
    private async Task AssertFrontingCutOffAsync(string via)
    {
        await WithTenantSandboxAsync(async (client, audit, sandbox) =>
        {
            var honest = await SplitHelloAsync(client, sandbox, via, "allowed.test");
            Assert.Equal($"tunnel {Opened(via)}|hello-records 2|handshake ok|body hello from allowed.test", WithoutReceived(honest));
            var passed = await audit.WaitForEventAsync(sandbox.Id, NetworkAllowed, e => e.Attributes["protocol"] == via);
            Assert.Equal(("allowed.test", "allowed.test"), (passed.Attributes["destination"], passed.Attributes["sni"]));

            var fronted = await SplitHelloAsync(client, sandbox, via, "denied.test");

            Assert.Equal($"tunnel {Opened(via)}|hello-records 2|received 0|handshake closed", fronted);
            var refused = await audit.WaitForEventAsync(sandbox.Id, NetworkDenied, e => e.Attributes["protocol"] == via);
            Assert.Equal(("allowed.test", "443", "denied.test", "sni-mismatch", "false", "0"), (refused.Attributes["destination"],
                refused.Attributes["port"], refused.Attributes["sni"], refused.Attributes["rule"], refused.Attributes["allowed"],
                refused.Attributes["bytes_down"]));
            AssertCorrelated(refused);
        });
    }

    private static async Task<string> SplitHelloAsync(SandboxesClient client, Sandbox sandbox, string via, string sni)
    {
        var output = await client.RunAsync(sandbox.Id, ["/usr/bin/python3", "-", via, "allowed.test", "443", sni], SplitHelloScript);
        Assert.True(output.Exit.ExitCode == 0, output.Stderr);
        return string.Join('|', output.Stdout.TrimEnd('\n').Split('\n'));
    }

    /// <summary>What the script prints for an open tunnel: the CONNECT status or the SOCKS5 reply code.</summary>
    private static int Opened(string via) => via == "connect" ? 200 : 0;

    /// <summary>How many bytes a completed handshake received varies with the TLS library.</summary>
    private static string WithoutReceived(string lines) =>
        string.Join('|', lines.Split('|').Where(l => !l.StartsWith("received ", StringComparison.Ordinal)));

    private static void AssertCorrelated(AuditEvent ev) =>
        Assert.Equal((Tenant, "uid:0", Trace), (ev.Tenant, ev.Principal, ev.TraceId));

    /// <summary>A sandbox created by <see cref="Tenant"/> under <see cref="Trace"/> with the world's policy
    /// (plus <paramref name="widen"/>), and that tenant's view of the audit record.</summary>
    private async Task WithTenantSandboxAsync(Func<SandboxesClient, AuditClient, Sandbox, Task> body, Action<EgressPolicy>? widen = null)
    {
        var world = await fixture.GetAsync();
        var policy = world.Policy;
        widen?.Invoke(policy);
        using var client = AuditApiClients.Sandboxes(world.Daemon, Tenant, Trace);
        using var audit = AuditApiClients.Audit(world.Daemon, Tenant);
        var sandbox = await client.CreateAsync(new CreateRequest
        {
            Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = policy },
        });
        try
        {
            await body(client, audit, sandbox);
        }
        finally
        {
            await client.DestroyAsync(sandbox.Id);
        }
    }
}
