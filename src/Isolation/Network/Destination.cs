using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>The policy's answer for a host:port: the verdict and, when allowed, the one address
/// to connect to (already checked, so a second lookup cannot rebind it).</summary>
internal readonly record struct Destination(PolicyVerdict Verdict, IPAddress? Address);
