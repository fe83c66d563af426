using System.Net;

namespace Sandboxd.Isolation.Network;

internal sealed class EgressAttachment(
    EgressNetwork network, string sandboxId, string hostInterface, AddressLease lease, SandboxProxy proxy, DnsStub? dns, int port,
    bool transparent)
    : IEgressAttachment
{
    private int _disposed;

    public string SandboxId { get; } = sandboxId;

    public string HostInterface { get; } = hostInterface;

    public IPEndPoint ProxyEndpoint { get; } = new(lease.HostAddress, port);

    public IPAddress SandboxAddress => lease.SandboxAddress;

    public IReadOnlyDictionary<string, string> ProxyEnvironment { get; } = Environment(lease.HostAddress, port);

    public EgressPolicy Policy => proxy.Matcher.Policy;

    public void UpdatePolicy(EgressPolicy policy) => proxy.Matcher = new PolicyMatcher(policy);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            await network.DetachAsync(HostInterface, lease, proxy, dns, transparent);
    }

    private static Dictionary<string, string> Environment(IPAddress host, int port)
    {
        var http = $"http://{host}:{port}";
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in new[] { ("HTTP_PROXY", http), ("HTTPS_PROXY", http), ("ALL_PROXY", $"socks5h://{host}:{port}"),
                     ("NO_PROXY", "localhost,127.0.0.1,::1") })
        {
            env[name] = value;
            env[name.ToLowerInvariant()] = value;
        }
        return env;
    }
}
