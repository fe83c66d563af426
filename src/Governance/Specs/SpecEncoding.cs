using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sandboxd.Governance.Specs;

/// <summary>One encoding of a spec, for the store and for the approval hash: JSON with fields in
/// declaration order, enums as their frozen numbers, and the sets (domains, mounts) sorted, so
/// two specs that do the same thing encode to the same bytes.</summary>
public static class SpecEncoding
{
    // System.Text.Json's defaults: enums as numbers, no indentation.
    private static readonly JsonSerializerOptions Options = new();

    public static string Encode(RequestSpec spec) => JsonSerializer.Serialize(Canonical(spec), Options);

    public static RequestSpec Decode(string json) =>
        JsonSerializer.Deserialize<RequestSpec>(json, Options) ?? throw new JsonException("empty spec");

    /// <summary>Lower-case hex SHA-256 of <see cref="Encode"/>: what an approval is bound to.</summary>
    public static string Hash(RequestSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Encode(spec))));

    private static RequestSpec Canonical(RequestSpec spec) => spec with
    {
        Network = spec.Network with
        {
            AllowedDomains = [.. spec.Network.AllowedDomains.Select(d => d.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal)],
        },
        Mounts = [.. spec.Mounts.OrderBy(m => m.Target, StringComparer.Ordinal).ThenBy(m => m.Source, StringComparer.Ordinal)],
    };
}
