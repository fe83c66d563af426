using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Sandboxd.Core.Hosting;

/// <summary>A TCP address from the command line: "127.0.0.1:7443", "[::1]:7443", "localhost:7443",
/// "0.0.0.0:7443", or a bare port, which means loopback ("9464" = "127.0.0.1:9464").</summary>
public sealed record ListenAddress(IPAddress? Address, int Port)
{
    /// <summary>"localhost": Kestrel binds both loopbacks.</summary>
    public bool IsLocalhost => Address is null;

    public static ListenAddress Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon < 0 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int bare) && bare <= 65535)
            return new ListenAddress(IPAddress.Loopback, bare);
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new FormatException($"'{text}' is not ADDR:PORT");
        string host = text[..colon].Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            return new ListenAddress(null, port);
        if (!IPAddress.TryParse(host, out IPAddress? address))
            throw new FormatException($"'{host}' in '{text}' is not an IP address or localhost");
        return new ListenAddress(address, port);
    }

    /// <summary>Binds it with these protocols; <paramref name="configure"/> adds to each endpoint (TLS).</summary>
    public void Listen(KestrelServerOptions options, HttpProtocols protocols, Action<ListenOptions>? configure = null)
    {
        void Endpoint(ListenOptions listen)
        {
            listen.Protocols = protocols;
            configure?.Invoke(listen);
        }

        if (Address is null)
            options.ListenLocalhost(Port, Endpoint);
        else
            options.Listen(Address, Port, Endpoint);
    }

    public override string ToString() => Address switch
    {
        null => $"localhost:{Port}",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 => $"[{v6}]:{Port}",
        var v4 => $"{v4}:{Port}",
    };
}
