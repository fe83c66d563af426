using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Isolation.Launch;

/// <summary>What a sandbox is made of. Image null = the default image. Limits and disk size
/// are the profile's after the request's overrides.</summary>
public sealed record SandboxSpec(string Id, string? Image, string Hostname, SandboxProfile Profile,
    CgroupLimits Limits, long DiskBytes);
