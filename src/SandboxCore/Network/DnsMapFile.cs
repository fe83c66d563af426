using System.Net;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Network;

/// <summary>`--dns-map FILE`: lines "name address" ('#' comments; a name may repeat for several
/// addresses). The proxy then resolves only these names — for tests, whose "internet" hosts live
/// in namespaces they made, and for deployments that pin names instead of trusting DNS.</summary>
public static class DnsMapFile
{
    public static StaticDnsResolver Load(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--dns-map {path}: {e.Message}", e);
        }
        var map = new Dictionary<string, List<IPAddress>>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Split('#', 2)[0].Trim();
            if (line.Length == 0)
                continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !IPAddress.TryParse(parts[1], out var address))
                throw new ArgumentException($"--dns-map {path}:{i + 1}: expected 'name address', got '{line}'");
            // Keys as the resolver looks them up: lower case, no trailing dot.
            var name = parts[0].TrimEnd('.').ToLowerInvariant();
            if (!map.TryGetValue(name, out var addresses))
                map[name] = addresses = [];
            addresses.Add(address);
        }
        return new StaticDnsResolver(map.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal));
    }
}
