using Sandboxd.Governance.Approval;

namespace Sandboxd.Governance.Events;

/// <summary>One step, with the proposal as it stands after it (and the vote, for a vote).</summary>
public sealed record GovernanceEvent(GovernanceEventKind Kind, Proposal Proposal, Vote? Vote);
