using System.Text.RegularExpressions;
using Sandboxd.Core.Network;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Hosting;

/// <summary>The daemon's egress options. The table and pool are parameters so that two daemons
/// on one host (tests beside a `make run`) never share firewall state or addresses.</summary>
public sealed partial record NetworkDaemonOptions
{
    public const string Usage = """
          --dns-map FILE     the proxy resolves only the names in FILE (lines "name address"):
                             for tests, and to pin names instead of trusting DNS
          --egress-table T   nftables table of egress sandboxes (default sandboxd)
          --egress-pool CIDR IPv4 pool of the sandboxes' /30s (default 10.213.0.0/16)
        """;

    /// <summary>Null: the host's resolver.</summary>
    public StaticDnsResolver? DnsMap { get; init; }

    public string Table { get; init; } = "sandboxd";

    public string Pool { get; init; } = "10.213.0.0/16";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex TableName();

    public static bool Accepts(string argument) => argument is "--dns-map" or "--egress-table" or "--egress-pool";

    /// <summary>Checked while parsing, so a bad value stops the start with a usage error.</summary>
    public NetworkDaemonOptions With(string argument, string value) => argument switch
    {
        "--dns-map" => this with { DnsMap = DnsMapFile.Load(value) },
        "--egress-table" => TableName().IsMatch(value) ? this with { Table = value }
            : throw new ArgumentException("--egress-table takes a name of letters, digits, '_' and '-'"),
        "--egress-pool" => ValidPool(value) ? this with { Pool = value }
            : throw new ArgumentException("--egress-pool takes an IPv4 CIDR of /30 or wider"),
        _ => throw new ArgumentException($"unknown argument '{argument}'"),
    };

    public EgressOptions ToEgressOptions(INetworkEventSink events) => new()
    {
        AddressPool = Pool,
        NftTable = Table,
        Events = events,
        Resolver = DnsMap is null ? new SystemDnsResolver() : DnsMap,
    };

    private static bool ValidPool(string cidr)
    {
        try
        {
            _ = new AddressPool(cidr);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
