using Sandboxd.Core.Orchestration.Governance;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using static Sandboxd.Core.Orchestration.Governance.SpecMapping;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Core.Api.Mapping;

/// <summary>Governance's merged spec and findings onto the wire, and a request's overrides off it
/// (as asked: <see cref="SpecMapping.FromRequest"/> checks them).</summary>
public static class SpecProtoMapping
{
    public static V1.RequestSpec ToProto(RequestSpec s)
    {
        var spec = new V1.RequestSpec
        {
            Profile = s.Profile, ProfileFloor = Name(s.ProfileFloor), Isolation = Name(s.Isolation), Filesystem = Name(s.Filesystem),
            Egress = s.Network.Egress, NetworkAudited = s.Network.Audited, Seccomp = s.Seccomp, UserNamespace = s.UserNamespace,
            RootInside = s.RootInside, MemoryBytes = s.Resources.MemoryBytes,
            CpuTimeSeconds = s.Resources.CpuTime is { } cpu ? (uint)cpu.TotalSeconds : 0,
            TtlSeconds = s.Ttl is { } ttl ? (uint)ttl.TotalSeconds : 0, Image = s.Image ?? "",
        };
        spec.AllowDomains.AddRange(s.Network.AllowedDomains);
        spec.Mounts.AddRange(s.Mounts.Select(m => new V1.HostMount { Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly }));
        return spec;
    }

    public static IEnumerable<V1.RiskFinding> ToProto(IEnumerable<RiskFinding> findings) =>
        findings.Select(f => new V1.RiskFinding { Rule = f.Rule, Level = Name(f.Level), Reason = f.Reason });

    public static OverridesRequest FromProto(V1.SpecOverrides o) => new()
    {
        Isolation = o.HasIsolation ? o.Isolation : null,
        Filesystem = o.HasFilesystem ? o.Filesystem : null,
        Egress = o.HasEgress ? o.Egress : null,
        AllowDomains = [.. o.AllowDomains],
        Seccomp = o.HasSeccomp ? o.Seccomp : null,
        UserNamespace = o.HasUserNamespace ? o.UserNamespace : null,
        RootInside = o.HasRootInside ? o.RootInside : null,
        MemoryBytes = o.HasMemoryBytes ? o.MemoryBytes : null,
        CpuTimeSeconds = o.HasCpuTimeSeconds ? o.CpuTimeSeconds : null,
        Mounts = [.. o.Mounts.Select(m => new MountRequest(m.Source, m.Target, m.ReadOnly))],
        ReplaceMounts = o.ReplaceMounts,
        TtlSeconds = o.HasTtlSeconds ? o.TtlSeconds : null,
        Image = o.HasImage ? o.Image : null,
    };

    /// <summary>Back onto the wire with each optional field set only when it was (the stored form of a create waiting for votes).</summary>
    public static V1.SpecOverrides ToProto(OverridesRequest o)
    {
        var p = new V1.SpecOverrides { ReplaceMounts = o.ReplaceMounts, AllowDomains = { o.AllowDomains } };
        p.Mounts.AddRange(o.Mounts.Select(m => new V1.HostMount { Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly }));
        Set(o.Isolation, v => p.Isolation = v);
        Set(o.Filesystem, v => p.Filesystem = v);
        Set(o.Seccomp, v => p.Seccomp = v);
        Set(o.Image, v => p.Image = v);
        Set(o.Egress, v => p.Egress = v);
        Set(o.UserNamespace, v => p.UserNamespace = v);
        Set(o.RootInside, v => p.RootInside = v);
        Set(o.MemoryBytes, v => p.MemoryBytes = v);
        Set(o.CpuTimeSeconds, v => p.CpuTimeSeconds = v);
        Set(o.TtlSeconds, v => p.TtlSeconds = v);
        return p;
    }

    private static void Set(string? value, Action<string> set)
    {
        if (value is not null)
            set(value);
    }

    private static void Set<T>(T? value, Action<T> set) where T : struct
    {
        if (value is { } v)
            set(v);
    }
}
