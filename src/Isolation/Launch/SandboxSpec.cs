using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Isolation.Launch;

/// <summary>What a sandbox is made of. Image null = the default image. Limits and disk size
/// are the profile's after the request's overrides.</summary>
public sealed record SandboxSpec(string Id, string? Image, string Hostname, SandboxProfile Profile,
    CgroupLimits Limits, long DiskBytes)
{
    /// <summary>A resume: the sandbox's disk image already exists and holds its files.</summary>
    public bool KeptDisk { get; init; }

    /// <summary>The user-namespace id range its files are owned by, reserved for it
    /// (<see cref="SandboxLauncher.ClaimIdRange"/>); null = a new one.</summary>
    public uint? IdRangeBase { get; init; }
}
