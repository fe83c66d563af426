using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>What a create runs: the isolation profile, limits and network it launches with, and
/// the risk it was assessed at. <see cref="Spec"/> is the merged governance request it came from
/// (null on the path without profiles: no approval section and no profile named); <see cref="Ttl"/>
/// is the spec's, or on that path the request's ttl_ms (null: no TTL).</summary>
public sealed record CreatePlan(string? Image, SandboxProfile Profile, SandboxLimits Limits, SandboxNetwork Network, RiskLevel Risk,
    RequestSpec? Spec, RiskAssessment? Assessment, TimeSpan? Ttl)
{
    /// <summary>How <see cref="Profile"/> differs from the profile its name finds, kept with the sandbox.</summary>
    public ProfileOverrides Overrides { get; init; } = ProfileOverrides.None;
}
