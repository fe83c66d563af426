using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Tests.Support;

public static class LoopbackPort
{
    /// <summary>A loopback TCP port free a moment ago (the kernel picked it), for a daemon's listener.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
