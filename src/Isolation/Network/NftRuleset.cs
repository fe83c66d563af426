using System.Net;

namespace Sandboxd.Isolation.Network;

/// <summary>The nftables text fed to `nft -f -`. One table; sandbox interfaces are keys of a
/// verdict map (input) and a set (forward), so adding or removing a sandbox is one atomic
/// transaction that touches nothing else.</summary>
internal static class NftRuleset
{
    /// <summary>Re-creates the table from scratch ("add" then "delete" so a stale table from a
    /// crashed daemon is dropped instead of failing). Priority -10 runs before other filters.</summary>
    public static string Table(string table) => $$"""
        add table inet {{table}}
        delete table inet {{table}}
        table inet {{table}} {
            map sandbox_input { type ifname : verdict; }
            map sandbox_nat { type ifname : verdict; }
            set sandbox_ifaces { type ifname; }
            chain input {
                type filter hook input priority -10; policy accept;
                iifname vmap @sandbox_input
            }
            chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                iifname vmap @sandbox_nat
            }
            chain forward {
                type filter hook forward priority -10; policy accept;
                iifname @sandbox_ifaces udp dport 53 reject
                iifname @sandbox_ifaces drop
                oifname @sandbox_ifaces drop
            }
        }

        """;

    public static string DeleteTable(string table) => $"delete table inet {table}\n";

    /// <summary>From the sandbox's interface only TCP to the proxy on the host side's address is
    /// accepted; everything else (other ports, DNS, ICMP, IPv6) is dropped, and nothing is forwarded
    /// (DNS to elsewhere is rejected rather than dropped, so a resolver fails at once, not after
    /// its timeouts).</summary>
    /// <remarks>With transparent ports, every other IPv4 TCP connection from the sandbox is
    /// redirected to the transparent port (the kernel rewrites the destination to the host-side
    /// address, which the input chain then accepts; the proxy reads the original destination back
    /// from conntrack), and every UDP query to port 53, whatever its address, to the DNS stub.</remarks>
    public static string AddSandbox(string table, string iface, IPAddress hostAddress, int proxyPort,
        TransparentPorts? transparent)
    {
        var ports = transparent is { } t ? $"{{ {proxyPort}, {t.Tcp} }}" : $"{proxyPort}";
        var text = $$"""
            add chain inet {{table}} {{Chain(iface)}}
            add rule inet {{table}} {{Chain(iface)}} ip daddr {{hostAddress}} tcp dport {{ports}} accept

            """;
        if (transparent is { } accepted)
            text += $"add rule inet {table} {Chain(iface)} ip daddr {hostAddress} udp dport {accepted.Dns} accept\n";
        text += $$"""
            add rule inet {{table}} {{Chain(iface)}} drop
            add element inet {{table}} sandbox_input { "{{iface}}" : jump {{Chain(iface)}} }
            add element inet {{table}} sandbox_ifaces { "{{iface}}" }

            """;
        if (transparent is { } redirect)
        {
            text += $$"""
                add chain inet {{table}} {{NatChain(iface)}}
                add rule inet {{table}} {{NatChain(iface)}} ip daddr != {{hostAddress}} meta l4proto tcp redirect to :{{redirect.Tcp}}
                add rule inet {{table}} {{NatChain(iface)}} udp dport 53 redirect to :{{redirect.Dns}}
                add element inet {{table}} sandbox_nat { "{{iface}}" : jump {{NatChain(iface)}} }

                """;
        }
        return text;
    }

    public static string RemoveSandbox(string table, string iface, bool transparent)
    {
        var text = $$"""
            delete element inet {{table}} sandbox_input { "{{iface}}" }
            delete element inet {{table}} sandbox_ifaces { "{{iface}}" }
            delete chain inet {{table}} {{Chain(iface)}}

            """;
        if (transparent)
        {
            text += $$"""
                delete element inet {{table}} sandbox_nat { "{{iface}}" }
                delete chain inet {{table}} {{NatChain(iface)}}

                """;
        }
        return text;
    }

    /// <summary>Where a transparent-mode sandbox's redirected TCP connections and DNS queries arrive.</summary>
    public readonly record struct TransparentPorts(int Tcp, int Dns);

    private static string NatChain(string iface) => "nat_" + iface;

    private static string Chain(string iface) => "in_" + iface;
}
