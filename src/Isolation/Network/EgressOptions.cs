namespace Sandboxd.Isolation.Network;

/// <summary>Host-wide settings of egress networking.</summary>
public sealed record EgressOptions
{
    /// <summary>IPv4 pool the per-sandbox /30s come from.</summary>
    public string AddressPool { get; init; } = "10.213.0.0/16";

    /// <summary>The nftables table (family inet). Tests use their own name so runs never collide.</summary>
    public string NftTable { get; init; } = "sandboxd";

    /// <summary>The proxy's port on each sandbox's host-side address.</summary>
    public int ProxyPort { get; init; } = 3128;

    /// <summary>Where redirected connections arrive for sandboxes attached in transparent mode.</summary>
    public int TransparentPort { get; init; } = 3129;

    /// <summary>The DNS stub's UDP port for transparent-mode sandboxes (their port 53 is redirected to it).</summary>
    public int DnsPort { get; init; } = 3153;

    public IDnsResolver Resolver { get; init; } = new SystemDnsResolver();

    public required INetworkEventSink Events { get; init; }

    /// <summary>Upstream connect timeout; past it the client gets 504.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a client has to send its request head (or SOCKS greeting).</summary>
    public TimeSpan HeadTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
