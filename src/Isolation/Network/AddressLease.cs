using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>One /30 from the pool: the host side's address (where the proxy listens) and the
/// sandbox's eth0 address.</summary>
public sealed record AddressLease(int Slot, IPAddress HostAddress, IPAddress SandboxAddress)
{
    public const int PrefixLength = 30;
}
