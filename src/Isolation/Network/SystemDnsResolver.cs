using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>The host's resolver (getaddrinfo). An unknown name yields no addresses, not an error.</summary>
public sealed class SystemDnsResolver : IDnsResolver
{
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
