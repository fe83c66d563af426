using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>How the proxy turns a name into addresses. The proxy resolves (never the sandbox) so
/// the address it checks is the address it connects to.</summary>
public interface IDnsResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
