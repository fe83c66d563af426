using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Profiles;

/// <summary>A named starting point for a create: its spec and the risk it declares (<see cref="Floor"/>).</summary>
/// <param name="Source">The file it was read from; null for a built-in.</param>
public sealed record GovernanceProfile(string Name, RiskLevel Floor, RequestSpec Spec, string? Source);
