namespace Sandboxd.Governance.Specs;

/// <summary>Fields a create (or a role pattern) changes on its profile; null leaves the profile's.
/// Mounts and the network policy replace the profile's whole value.</summary>
public sealed record SpecOverrides
{
    public static SpecOverrides None { get; } = new();

    public IsolationKind? Isolation { get; init; }

    public FilesystemKind? Filesystem { get; init; }

    public NetworkPolicySpec? Network { get; init; }

    public string? Seccomp { get; init; }

    public bool? UserNamespace { get; init; }

    public bool? RootInside { get; init; }

    public long? MemoryBytes { get; init; }

    public TimeSpan? CpuTime { get; init; }

    public IReadOnlyList<HostMount>? Mounts { get; init; }

    public TimeSpan? Ttl { get; init; }

    public string? Image { get; init; }

    public RequestSpec ApplyTo(RequestSpec spec) => spec with
    {
        Isolation = Isolation ?? spec.Isolation,
        Filesystem = Filesystem ?? spec.Filesystem,
        Network = Network ?? spec.Network,
        Seccomp = Seccomp ?? spec.Seccomp,
        UserNamespace = UserNamespace ?? spec.UserNamespace,
        RootInside = RootInside ?? spec.RootInside,
        Resources = new SpecResources(MemoryBytes ?? spec.Resources.MemoryBytes, CpuTime ?? spec.Resources.CpuTime),
        Mounts = Mounts ?? spec.Mounts,
        Ttl = Ttl ?? spec.Ttl,
        Image = Image ?? spec.Image,
    };
}
