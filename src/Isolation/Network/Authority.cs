using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>A "host[:port]" or "[v6]:port" as used by CONNECT targets, URIs and Host headers.</summary>
internal readonly record struct Authority(string Host, int Port)
{
    public static bool TryParse(string text, int defaultPort, out Authority authority)
    {
        authority = default;
        string host;
        var portText = "";
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                return false;
            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && !rest.StartsWith(':'))
                return false;
            if (rest.Length > 0)
                portText = rest[1..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                return false;
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            if (colon >= 0)
                portText = text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal) || host.Length == 0)
                return false;
        }
        var port = defaultPort;
        if (portText.Length > 0 && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535))
            return false;
        authority = new Authority(host.ToLowerInvariant().TrimEnd('.'), port);
        return true;
    }
}
