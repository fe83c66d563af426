using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>A create's requested overrides onto governance's, and governance's names as the API
/// and the audit record show them; each bad value is an <see cref="InvalidFieldException"/>
/// naming its field.</summary>
public static class SpecMapping
{
    public static string Name(RiskLevel level) => level.ToString().ToUpperInvariant();

    public static string Name<T>(T value) where T : struct, Enum => char.ToLowerInvariant(value.ToString()[0]) + value.ToString()[1..];

    public static string Decision(DecisionReason reason) => reason switch
    {
        DecisionReason.Quorum => "quorum",
        DecisionReason.DenyThreshold => "deny threshold",
        DecisionReason.CannotPass => "cannot pass",
        DecisionReason.Expired => "expired",
        _ => "",
    };

    /// <summary>The overrides a create carries: its <c>overrides</c> field, then what its older
    /// fields already said (memory, network, ttl, image), which the overrides field wins over.</summary>
    public static SpecOverrides FromCreate(CreateSandbox request, string? image)
    {
        var overrides = FromRequest(request.Overrides, "overrides");
        if (overrides.MemoryBytes is null && request.Resources is { MemoryBytes: > 0 } r)
            overrides = overrides with { MemoryBytes = r.MemoryBytes };
        if (overrides.Network is null && request.Network is { } n)
            overrides = overrides with
            {
                Network = n.Mode == Sandboxd.Core.Network.NetworkMode.Egress
                    ? new NetworkPolicySpec(true, [.. n.Policy?.AllowDomains ?? []], false)
                    : NetworkPolicySpec.None,
            };
        if (overrides.Ttl is null && request.TtlMs > 0)
            overrides = overrides with { Ttl = TimeSpan.FromMilliseconds(request.TtlMs) };
        if (overrides.Image is null && image is not null)
            overrides = overrides with { Image = image };
        return overrides;
    }

    public static SpecOverrides FromRequest(OverridesRequest? o, string field)
    {
        if (o is null)
            return SpecOverrides.None;
        if (o.Egress is null && o.AllowDomains.Count > 0)
            throw new InvalidFieldException($"{field}.allow_domains", "an allowlist needs egress set to true");
        if (o.Egress == false && o.AllowDomains.Count > 0)
            throw new InvalidFieldException($"{field}.allow_domains", "an allowlist needs egress true, not false");
        if (o.MemoryBytes < 16 << 20)
            throw new InvalidFieldException($"{field}.memory_bytes", "must be at least 16 MiB");
        foreach (var m in o.Mounts)
            if (!m.Source.StartsWith('/') || (m.Target.Length > 0 && !m.Target.StartsWith('/')))
                throw new InvalidFieldException($"{field}.mounts", $"'{m.Source}' -> '{m.Target}': paths must be absolute");
        return new SpecOverrides
        {
            Isolation = o.Isolation is { } isolation ? Parse<IsolationKind>(isolation, $"{field}.isolation") : null,
            Filesystem = o.Filesystem is { } filesystem ? Parse<FilesystemKind>(filesystem, $"{field}.filesystem") : null,
            Network = o.Egress is { } egress ? new NetworkPolicySpec(egress, [.. o.AllowDomains], false) : null,
            Seccomp = o.Seccomp,
            UserNamespace = o.UserNamespace,
            RootInside = o.RootInside,
            MemoryBytes = o.MemoryBytes,
            CpuTime = o.CpuTimeSeconds is { } cpu ? TimeSpan.FromSeconds(cpu) : null,
            Mounts = o.ReplaceMounts || o.Mounts.Count > 0
                ? [.. o.Mounts.Select(m => new HostMount(m.Source, m.Target.Length > 0 ? m.Target : m.Source, m.ReadOnly))]
                : null,
            Ttl = o.TtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null,
            Image = o.Image,
        };
    }

    private static T Parse<T>(string text, string field) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !text.All(char.IsAsciiDigit)
            ? value
            : throw new InvalidFieldException(field, $"'{text}' is not one of {string.Join(", ", Enum.GetValues<T>().Select(Name))}");
}
