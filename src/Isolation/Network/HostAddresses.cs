using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>Whether an address is one of the host's own (any interface, each sandbox's veth
/// gateway, an AnyIP "local" route): a connection there reaches services on the host's 0.0.0.0.
/// Asked of the kernel at each decision, since addresses come and go: a UDP connect only looks
/// the route up (nothing is sent), and for a local destination the kernel picks that same
/// address as the source (IPv4: a local route's source is its own address; IPv6: source
/// selection rule 1, "prefer the same address"). Unlike bind(), this does not depend on
/// ip_nonlocal_bind.</summary>
internal static class HostAddresses
{
    public static bool IsOwn(IPAddress address)
    {
        try
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(address, 9));
            return probe.LocalEndPoint is IPEndPoint local && local.Address.Equals(address);
        }
        catch (SocketException)
        {
            return false; // no route at all: not local either, the local table is looked up first
        }
    }
}
