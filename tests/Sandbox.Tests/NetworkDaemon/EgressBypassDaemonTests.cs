using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
    private static readonly string[] Tunnels = ["connect", "socks5"];

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

    [RootFact]
    public async Task An_allowed_name_on_an_address_of_the_host_itself_is_refused_as_host_address()
    {
        var world = await fixture.GetAsync();
        // A service on all the host's addresses, which is what the sandbox must not reach.
        using var service = new TcpListener(IPAddress.IPv6Any, 0);
        service.Server.DualMode = true;
        service.Start();
        var port = ((IPEndPoint)service.LocalEndpoint).Port;
        // Control: the service answers on both addresses, so a refusal below is the proxy's.
        foreach (var address in new[] { world.HostOwn.V4, world.HostOwn.V6 })
        {
            using var control = new TcpClient(address.AddressFamily);
            await control.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(2));
            (await service.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(2))).Dispose();
        }

        await WithTenantSandboxAsync(async (client, audit, sandbox) =>
        {
            foreach (var (via, name, address) in new[]
                     {
                         ("connect", "self.test", world.HostOwn.V4), ("socks5", "self.test", world.HostOwn.V4),
                         ("connect", "self6.test", world.HostOwn.V6),
                     })
            {
                var fetched = await FetchAsync(client, sandbox, via, $"http://{name}:{port}/");
                Assert.Equal(via == "connect" ? "403" : "", fetched);
                var refused = await audit.WaitForEventAsync(sandbox.Id, NetworkDenied,
                    e => e.Attributes["protocol"] == via && e.Attributes["destination"] == name);
                Assert.Equal(("host-address", address.ToString(), port.ToString(CultureInfo.InvariantCulture)),
                    (refused.Attributes["rule"], refused.Attributes["address"], refused.Attributes["port"]));
                AssertCorrelated(refused);
            }
            Assert.False(service.Pending(), "the host's service saw a connection from the sandbox");
        }, policy =>
        {
            policy.AllowDomains.Add("self.test");
            policy.AllowDomains.Add("self6.test");
            policy.AllowPorts.Add((uint)port);
        });
    }

    [RootFact]
    public async Task An_allowed_name_in_benchmarking_space_is_refused_as_restricted_address()
    {
        var world = await fixture.GetAsync();
        // Control: the test host answers there, so a refusal below is the proxy's.
        using (var control = new TcpClient())
            await control.ConnectAsync(world.Benchmarking, 443).WaitAsync(TimeSpan.FromSeconds(2));

        await WithTenantSandboxAsync(async (client, audit, sandbox) =>
        {
            foreach (var via in Tunnels)
            {
                var fetched = await FetchAsync(client, sandbox, via, "https://bench.test/");
                Assert.Equal(via == "connect" ? "403" : "", fetched);
                var refused = await audit.WaitForEventAsync(sandbox.Id, NetworkDenied, e => e.Attributes["protocol"] == via);
                Assert.Equal(("bench.test", "restricted-address:198.18.0.0/15", world.Benchmarking.ToString()),
                    (refused.Attributes["destination"], refused.Attributes["rule"], refused.Attributes["address"]));
                AssertCorrelated(refused);
            }
        }, policy => policy.AllowDomains.Add("bench.test"));
    }

    /// <summary>curl through the proxy the environment names, as a tunnel either way: CONNECT
    /// (HTTPS_PROXY / -p) prints the proxy's status, SOCKS5 (ALL_PROXY) prints nothing when refused.
    /// curl must fail: whatever it fetched is in the assertion message.</summary>
    private static async Task<string> FetchAsync(SandboxesClient client, Sandbox sandbox, string via, string url)
    {
        var proxy = via == "connect" ? "-p -x \"$HTTPS_PROXY\" -w %{http_connect}" : "-x \"$ALL_PROXY\"";
        var output = await client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
            $"exec /usr/bin/curl -sS -k --max-time 5 -o /dev/null {proxy} \"$0\"", url]);
        Assert.True(output.Exit.ExitCode != 0, $"{via} {url} fetched: {output.Stdout}");
        return output.Stdout;
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

    private async Task WithTenantSandboxAsync(Func<SandboxesClient, AuditClient, Sandbox, Task> body, Action<EgressPolicy>? widen = null) =>
        await (await fixture.GetAsync()).WithTenantSandboxAsync(Tenant, Trace, body, widen);
}
