using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>A fixed name → addresses map: tests point names at hosts in their own namespaces,
/// and a deployment can pin names without trusting DNS.</summary>
public sealed class StaticDnsResolver(IReadOnlyDictionary<string, IPAddress[]> map) : IDnsResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var name = HostName.Normalize(host);
        return Task.FromResult(name is not null && map.TryGetValue(name, out var addresses) ? addresses : []);
    }
}
