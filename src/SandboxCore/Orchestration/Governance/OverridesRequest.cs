namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>A request's changes to a governance profile, as asked (null = not set): checked and
/// turned into governance's overrides by <see cref="SpecOverridesChecks"/>.</summary>
public sealed record OverridesRequest
{
    public string? Isolation { get; init; }

    public string? Filesystem { get; init; }

    public bool? Egress { get; init; }

    public IReadOnlyList<string> AllowDomains { get; init; } = [];

    public string? Seccomp { get; init; }

    public bool? UserNamespace { get; init; }

    public bool? RootInside { get; init; }

    public long? MemoryBytes { get; init; }

    public uint? CpuTimeSeconds { get; init; }

    public IReadOnlyList<MountRequest> Mounts { get; init; } = [];

    /// <summary>Replaces the profile's mounts even when <see cref="Mounts"/> is empty.</summary>
    public bool ReplaceMounts { get; init; }

    public uint? TtlSeconds { get; init; }

    public string? Image { get; init; }
}

/// <param name="Target">Empty = the same path as the source.</param>
public sealed record MountRequest(string Source, string Target, bool ReadOnly);
