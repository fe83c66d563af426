using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Network;
using WirePolicy = Sandboxd.Api.V1.EgressPolicy;

namespace Sandboxd.Core.Network;

/// <summary>The wire's egress policy onto the proxy's, each entry checked on its own so the error
/// names the field and index ("network.policy.allow_cidrs[0]: not a CIDR"), and back.</summary>
public static class EgressPolicyMapping
{
    /// <summary>Enough for any real allowlist; bounds the work of every policy check.</summary>
    public const int MaxEntries = 1024;

    public const uint MaxConnections = 4096;

    private static readonly int[] DefaultPorts = [80, 443];

    /// <param name="field">The policy's field path, e.g. "network.policy".</param>
    public static EgressPolicy FromProto(WirePolicy? wire, string field)
    {
        if (wire is null)
            return EgressPolicy.DenyAll;
        var allow = Domains(wire.AllowDomains, $"{field}.allow_domains");
        var deny = Domains(wire.DenyDomains, $"{field}.deny_domains");
        Bounded(wire.AllowCidrs, $"{field}.allow_cidrs");
        for (int i = 0; i < wire.AllowCidrs.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(wire.AllowCidrs[i], out _))
                throw new InvalidFieldException($"{field}.allow_cidrs[{i}]", $"'{Truncate(wire.AllowCidrs[i])}' is not a CIDR");
        }
        Bounded(wire.AllowPorts, $"{field}.allow_ports");
        for (int i = 0; i < wire.AllowPorts.Count; i++)
        {
            if (wire.AllowPorts[i] is 0 or > 65535)
                throw new InvalidFieldException($"{field}.allow_ports[{i}]", $"{wire.AllowPorts[i]} is not a port (1-65535)");
        }
        if (wire.MaxConnections > MaxConnections)
            throw new InvalidFieldException($"{field}.max_connections", $"at most {MaxConnections}");
        if (wire.MaxTotalBytes > long.MaxValue)
            throw new InvalidFieldException($"{field}.max_total_bytes", "too large");
        if (wire.MaxBytesPerSecond > long.MaxValue)
            throw new InvalidFieldException($"{field}.max_bytes_per_second", "too large");
        return new EgressPolicy
        {
            AllowedDomains = allow,
            DeniedDomains = deny,
            AllowedCidrs = [.. wire.AllowCidrs],
            AllowedPorts = wire.AllowPorts.Count == 0 ? DefaultPorts : [.. wire.AllowPorts.Select(p => (int)p)],
            MaxConnections = wire.MaxConnections == 0 ? new EgressPolicy().MaxConnections : (int)wire.MaxConnections,
            MaxTotalBytes = (long)wire.MaxTotalBytes,
            MaxBytesPerSecond = (long)wire.MaxBytesPerSecond,
        };
    }

    public static WirePolicy ToProto(EgressPolicy policy) => new()
    {
        AllowDomains = { policy.AllowedDomains },
        DenyDomains = { policy.DeniedDomains },
        AllowCidrs = { policy.AllowedCidrs },
        AllowPorts = { policy.AllowedPorts.Select(p => (uint)p) },
        MaxConnections = (uint)policy.MaxConnections,
        MaxTotalBytes = (ulong)policy.MaxTotalBytes,
        MaxBytesPerSecond = (ulong)policy.MaxBytesPerSecond,
    };

    /// <summary>Each pattern goes through the proxy's own parser, so what passes here is exactly
    /// what the proxy can enforce.</summary>
    private static string[] Domains(Google.Protobuf.Collections.RepeatedField<string> patterns, string field)
    {
        Bounded(patterns, field);
        for (int i = 0; i < patterns.Count; i++)
        {
            try
            {
                _ = new PolicyMatcher(new EgressPolicy { AllowedDomains = [patterns[i]] });
            }
            catch (ArgumentException)
            {
                throw new InvalidFieldException($"{field}[{i}]",
                    $"'{Truncate(patterns[i])}' is not a domain (a name, or '*.' and a name)");
            }
        }
        return [.. patterns];
    }

    private static void Bounded<T>(IReadOnlyCollection<T> entries, string field)
    {
        if (entries.Count > MaxEntries)
            throw new InvalidFieldException(field, $"at most {MaxEntries} entries");
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
