using Sandboxd.Governance.Risk;

namespace Sandboxd.Governance.Specs;

/// <summary>The merged request (profile + role pattern + overrides): what is assessed, approved
/// and run. Orchestration maps it to the isolation layer's own types.</summary>
/// <param name="Profile">The profile it came from, for people; not part of what it does.</param>
/// <param name="ProfileFloor">The lowest risk its profile declares (a HIGH profile stays HIGH however mild its fields).</param>
/// <param name="Image">Null: the default root file system.</param>
/// <param name="Seccomp">A seccomp profile name, or "off".</param>
/// <param name="Ttl">Null: lives until destroyed.</param>
public sealed record RequestSpec(
    string Profile,
    RiskLevel ProfileFloor,
    IsolationKind Isolation,
    FilesystemKind Filesystem,
    NetworkPolicySpec Network,
    string Seccomp,
    bool UserNamespace,
    bool RootInside,
    SpecResources Resources,
    IReadOnlyList<HostMount> Mounts,
    TimeSpan? Ttl,
    string? Image)
{
    public const string SeccompOff = "off";
}
