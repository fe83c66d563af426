using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Network;

/// <summary>A requested egress policy onto the proxy's, each entry checked on its own so the error
/// names the field and index ("network.policy.allow_cidrs[0]: not a CIDR").</summary>
public static class EgressPolicyChecks
{
    /// <summary>Enough for any real allowlist; bounds the work of every policy check.</summary>
    public const int MaxEntries = 1024;

    public const uint MaxConnections = 4096;

    private static readonly int[] DefaultPorts = [80, 443];

    /// <param name="field">The policy's field path, e.g. "network.policy".</param>
    public static EgressPolicy Check(EgressPolicyRequest? requested, string field)
    {
        if (requested is null)
            return EgressPolicy.DenyAll;
        var allow = Domains(requested.AllowDomains, $"{field}.allow_domains");
        var deny = Domains(requested.DenyDomains, $"{field}.deny_domains");
        Bounded(requested.AllowCidrs, $"{field}.allow_cidrs");
        for (int i = 0; i < requested.AllowCidrs.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(requested.AllowCidrs[i], out _))
                throw new InvalidFieldException($"{field}.allow_cidrs[{i}]", $"'{Truncate(requested.AllowCidrs[i])}' is not a CIDR");
        }
        Bounded(requested.AllowPorts, $"{field}.allow_ports");
        for (int i = 0; i < requested.AllowPorts.Count; i++)
        {
            if (requested.AllowPorts[i] is 0 or > 65535)
                throw new InvalidFieldException($"{field}.allow_ports[{i}]", $"{requested.AllowPorts[i]} is not a port (1-65535)");
        }
        if (requested.MaxConnections > MaxConnections)
            throw new InvalidFieldException($"{field}.max_connections", $"at most {MaxConnections}");
        if (requested.MaxTotalBytes > long.MaxValue)
            throw new InvalidFieldException($"{field}.max_total_bytes", "too large");
        if (requested.MaxBytesPerSecond > long.MaxValue)
            throw new InvalidFieldException($"{field}.max_bytes_per_second", "too large");
        return new EgressPolicy
        {
            AllowedDomains = allow,
            DeniedDomains = deny,
            AllowedCidrs = [.. requested.AllowCidrs],
            AllowedPorts = requested.AllowPorts.Count == 0 ? DefaultPorts : [.. requested.AllowPorts.Select(p => (int)p)],
            MaxConnections = requested.MaxConnections == 0 ? new EgressPolicy().MaxConnections : (int)requested.MaxConnections,
            MaxTotalBytes = (long)requested.MaxTotalBytes,
            MaxBytesPerSecond = (long)requested.MaxBytesPerSecond,
        };
    }

    /// <summary>Each pattern goes through the proxy's own parser, so what passes here is exactly
    /// what the proxy can enforce.</summary>
    private static string[] Domains(IReadOnlyList<string> patterns, string field)
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
