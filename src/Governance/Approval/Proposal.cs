using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Approval;

/// <summary>A request waiting for (or past) its approval, with every vote: history, never deleted.</summary>
/// <param name="SpecHash">SHA-256 of the merged spec's canonical encoding: what the approval is bound to.</param>
/// <param name="UseUntil">Set at approval: the end of the window in which it may be used, once.</param>
public sealed record Proposal(
    string Id,
    string Tenant,
    RiskLevel Level,
    RequestSpec Spec,
    string SpecHash,
    IReadOnlyList<RiskFinding> Findings,
    string ProposerPrincipal,
    string ProposerPerson,
    QuorumRules Rules,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    ProposalStatus Status,
    DecisionReason Reason,
    DateTimeOffset? DecidedAt,
    DateTimeOffset? UseUntil,
    DateTimeOffset? UsedAt,
    IReadOnlyList<Vote> Votes)
{
    /// <summary>Whether <paramref name="actor"/> is one who may vote on it (by tenant, role and person), decided or not.</summary>
    public bool IsReviewer(Actor actor) =>
        actor.Sees(Tenant) && actor.Person != ProposerPerson && actor.Roles.Any(Rules.VotingRoles.Contains);
}
