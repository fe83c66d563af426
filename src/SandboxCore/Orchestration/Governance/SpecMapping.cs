using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using ProtoOverrides = Sandboxd.Api.V1.SpecOverrides;
using ProtoSpec = Sandboxd.Api.V1.RequestSpec;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>Governance's spec and overrides to and from their proto messages; each bad value
/// is an <see cref="InvalidFieldException"/> naming its field.</summary>
public static class SpecMapping
{
    public static string Name(RiskLevel level) => level.ToString().ToUpperInvariant();

    public static string Name<T>(T value) where T : struct, Enum => char.ToLowerInvariant(value.ToString()[0]) + value.ToString()[1..];

    /// <summary>The overrides a create carries: its <c>overrides</c> field, then what its older
    /// fields already said (memory, network, ttl, image), which the overrides field wins over.</summary>
    public static SpecOverrides FromCreate(Sandboxd.Api.V1.CreateRequest request, string? image)
    {
        var overrides = FromProto(request.Overrides, "overrides");
        if (overrides.MemoryBytes is null && request.Resources is { MemoryBytes: > 0 } r)
            overrides = overrides with { MemoryBytes = r.MemoryBytes };
        if (overrides.Network is null && request.Network is { } n)
            overrides = overrides with
            {
                Network = n.Mode == Sandboxd.Api.V1.NetworkMode.Egress
                    ? new NetworkPolicySpec(true, [.. n.Policy?.AllowDomains ?? []], false)
                    : NetworkPolicySpec.None,
            };
        if (overrides.Ttl is null && request.TtlMs > 0)
            overrides = overrides with { Ttl = TimeSpan.FromMilliseconds(request.TtlMs) };
        if (overrides.Image is null && image is not null)
            overrides = overrides with { Image = image };
        return overrides;
    }

    public static SpecOverrides FromProto(ProtoOverrides? o, string field)
    {
        if (o is null)
            return SpecOverrides.None;
        if (!o.HasEgress && o.AllowDomains.Count > 0)
            throw new InvalidFieldException($"{field}.allow_domains", "an allowlist needs egress set to true");
        if (o.HasEgress && !o.Egress && o.AllowDomains.Count > 0)
            throw new InvalidFieldException($"{field}.allow_domains", "an allowlist needs egress true, not false");
        if (o.HasMemoryBytes && o.MemoryBytes < 16 << 20)
            throw new InvalidFieldException($"{field}.memory_bytes", "must be at least 16 MiB");
        foreach (var m in o.Mounts)
            if (!m.Source.StartsWith('/') || (m.Target.Length > 0 && !m.Target.StartsWith('/')))
                throw new InvalidFieldException($"{field}.mounts", $"'{m.Source}' -> '{m.Target}': paths must be absolute");
        return new SpecOverrides
        {
            Isolation = o.HasIsolation ? Parse<IsolationKind>(o.Isolation, $"{field}.isolation") : null,
            Filesystem = o.HasFilesystem ? Parse<FilesystemKind>(o.Filesystem, $"{field}.filesystem") : null,
            Network = o.HasEgress ? new NetworkPolicySpec(o.Egress, [.. o.AllowDomains], false) : null,
            Seccomp = o.HasSeccomp ? o.Seccomp : null,
            UserNamespace = o.HasUserNamespace ? o.UserNamespace : null,
            RootInside = o.HasRootInside ? o.RootInside : null,
            MemoryBytes = o.HasMemoryBytes ? o.MemoryBytes : null,
            CpuTime = o.HasCpuTimeSeconds ? TimeSpan.FromSeconds(o.CpuTimeSeconds) : null,
            Mounts = o.ReplaceMounts || o.Mounts.Count > 0
                ? [.. o.Mounts.Select(m => new HostMount(m.Source, m.Target.Length > 0 ? m.Target : m.Source, m.ReadOnly))]
                : null,
            Ttl = o.HasTtlSeconds ? TimeSpan.FromSeconds(o.TtlSeconds) : null,
            Image = o.HasImage ? o.Image : null,
        };
    }

    public static ProtoSpec ToProto(RequestSpec s)
    {
        var spec = new ProtoSpec
        {
            Profile = s.Profile, ProfileFloor = Name(s.ProfileFloor), Isolation = Name(s.Isolation), Filesystem = Name(s.Filesystem),
            Egress = s.Network.Egress, NetworkAudited = s.Network.Audited, Seccomp = s.Seccomp, UserNamespace = s.UserNamespace,
            RootInside = s.RootInside, MemoryBytes = s.Resources.MemoryBytes,
            CpuTimeSeconds = s.Resources.CpuTime is { } cpu ? (uint)cpu.TotalSeconds : 0,
            TtlSeconds = s.Ttl is { } ttl ? (uint)ttl.TotalSeconds : 0, Image = s.Image ?? "",
        };
        spec.AllowDomains.AddRange(s.Network.AllowedDomains);
        spec.Mounts.AddRange(s.Mounts.Select(m => new Sandboxd.Api.V1.HostMount { Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly }));
        return spec;
    }

    public static IEnumerable<Sandboxd.Api.V1.RiskFinding> ToProto(IEnumerable<RiskFinding> findings) =>
        findings.Select(f => new Sandboxd.Api.V1.RiskFinding { Rule = f.Rule, Level = Name(f.Level), Reason = f.Reason });

    private static T Parse<T>(string text, string field) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !text.All(char.IsAsciiDigit)
            ? value
            : throw new InvalidFieldException(field, $"'{text}' is not one of {string.Join(", ", Enum.GetValues<T>().Select(Name))}");
}
