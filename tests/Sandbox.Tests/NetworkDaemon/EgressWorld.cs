using System.Net;
using System.Security.Cryptography;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.AuditApi;
using Sandboxd.Tests.Network;
using Sandboxd.Tests.Support;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>A real daemon whose proxy resolves names only through a --dns-map pointing at a test
/// host this world made (HTTP on 80, HTTPS on 443, UDP echo on 53), with its own nft table and
/// address block so nothing it does touches another daemon's network. Two names lead where no
/// name may: self.test / self6.test to a public-looking address of the host itself, bench.test
/// into 198.18.0.0/15. Dispose proves none of it is left.</summary>
public sealed class EgressWorld : IAsyncDisposable
{
    private readonly string _dnsMap;

    private EgressWorld(string tag, int block, TestHost host, HostDummyAddress hostOwn, string dnsMap, DaemonProcess daemon)
    {
        Tag = tag;
        Block = block;
        Host = host;
        HostOwn = hostOwn;
        _dnsMap = dnsMap;
        Daemon = daemon;
    }

    public string Tag { get; }

    public int Block { get; }

    internal TestHost Host { get; }

    /// <summary>Where self.test (V4) and self6.test (V6) lead: an address of the host's own.</summary>
    internal HostDummyAddress HostOwn { get; }

    /// <summary>Where bench.test leads: benchmarking space, restricted, yet the test host answers there.</summary>
    public IPAddress Benchmarking => BenchmarkingOf(Block);

    public DaemonProcess Daemon { get; }

    /// <summary>Only allowed.test:443 (its /30 is allowed so the name's private address passes).</summary>
    public EgressPolicy Policy => new()
    {
        AllowDomains = { "allowed.test" },
        DenyDomains = { "denied.test" },
        AllowCidrs = { Host.Cidr },
        AllowPorts = { 443 },
    };

    /// <summary>A sandbox created by <paramref name="tenant"/> under <paramref name="trace"/> with the
    /// world's policy (changed by <paramref name="change"/>), and that tenant's view of the audit record.</summary>
    public async Task WithTenantSandboxAsync(string tenant, string trace, Func<SandboxesClient, AuditClient, Sandbox, Task> body,
        Action<EgressPolicy>? change = null)
    {
        var policy = Policy;
        change?.Invoke(policy);
        using var client = AuditApiClients.Sandboxes(Daemon, tenant, trace);
        using var audit = AuditApiClients.Audit(Daemon, tenant);
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

    public static async Task<EgressWorld> StartAsync()
    {
        var tag = "sbxt" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var block = RandomNumberGenerator.GetInt32(1, 255);
        var host = await TestHost.StartAsync(tag, block);
        HostDummyAddress? hostOwn = null;
        var dnsMap = Path.Combine(Path.GetTempPath(), tag + ".dnsmap");
        try
        {
            hostOwn = await HostDummyAddress.AddAsync();
            // bench.test's address lives on the test host too (routed there from the host), so a
            // proxy that let it pass would reach a server, and the refusal is visibly the policy's.
            await Shell.CheckAsync("ip", "-n", tag, "addr", "add", $"{BenchmarkingOf(block)}/32", "dev", "eth0");
            await Shell.CheckAsync("ip", "route", "add", $"{BenchmarkingOf(block)}/32", "via", host.Address.ToString());
            host.ServeTcp(80, TestServers.HttpAsync);
            host.ServeTcp(443, TestServers.HttpsAsync);
            host.ServeUdpEcho(53);
            await File.WriteAllTextAsync(dnsMap, $"""
                # test names on the test host
                allowed.test {host.Address}
                denied.test {host.Address}
                other.test {host.Address}
                # names that lead where no name may
                self.test {hostOwn.V4}
                self6.test {hostOwn.V6}
                bench.test {BenchmarkingOf(block)}

                """);
            // Metrics on a port the kernel picks: the daemon logs where (EgressMetricsDaemonTests scrapes it).
            var daemon = new DaemonProcess(["--dns-map", dnsMap, "--egress-table", tag, "--egress-pool", $"10.213.{block}.0/24",
                "--metrics", "127.0.0.1:0"]);
            return new EgressWorld(tag, block, host, hostOwn, dnsMap, daemon);
        }
        catch
        {
            File.Delete(dnsMap);
            if (hostOwn is not null)
                await hostOwn.DisposeAsync();
            await host.DisposeAsync();
            throw;
        }
    }

    private static IPAddress BenchmarkingOf(int block) => IPAddress.Parse($"198.18.{block}.1");

    public async Task<Sandbox> CreateEgressAsync(EgressPolicy? policy = null, bool transparent = false) =>
        await Daemon.Client.CreateAsync(new CreateRequest
        {
            Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = policy ?? Policy, Transparent = transparent },
        });

    /// <summary>Runs <paramref name="body"/> against a new egress sandbox, destroyed afterwards.</summary>
    public async Task WithEgressAsync(Func<Sandbox, Task> body, bool transparent = false)
    {
        var sandbox = await CreateEgressAsync(transparent: transparent);
        try
        {
            await body(sandbox);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    /// <summary>Waits for a daemon log line containing every part (decisions are logged when the
    /// connection closes, which can be just after the client saw its end).</summary>
    public async Task<string> WaitForLogAsync(params string[] parts)
    {
        var deadline = Environment.TickCount64 + 5000;
        while (true)
        {
            var line = Daemon.Log.Split('\n').FirstOrDefault(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)));
            if (line is not null)
                return line;
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"no log line with {string.Join(" + ", parts)}:\n{Daemon.Log}");
            await Task.Delay(20);
        }
    }

    /// <summary>The egress chains in this daemon's nft table (one per attached sandbox).</summary>
    public async Task<string[]> ChainsAsync()
    {
        var (code, output, _) = await Shell.RunAsync("nft", ["list", "table", "inet", Tag]);
        return code != 0 ? [] : output.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("chain in_", StringComparison.Ordinal)).Select(l => l[6..].TrimEnd(' ', '{')).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Daemon.Dispose();
        }
        finally
        {
            File.Delete(_dnsMap);
            await HostOwn.DisposeAsync();
            await Host.DisposeAsync();
        }
        // The daemon's shutdown removed its sandboxes' veths and its table.
        await NetworkTestBed.AssertNoLeaksAsync(Tag, Block);
    }
}
