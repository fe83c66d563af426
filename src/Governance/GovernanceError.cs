namespace Sandboxd.Governance;

/// <summary>Why governance refused: the identity of a failure (the API layer maps it to a status).
/// Numbers are frozen.</summary>
public enum GovernanceError
{
    UnknownProfile = 1,
    ProposalNotFound = 2,
    NotPending = 3,
    SelfVote = 4,
    AlreadyVoted = 5,
    NotEligible = 6,
    ReasonRequired = 7,
    Expired = 8,
    NotApproved = 9,
    SpecMismatch = 10,
    AlreadyUsed = 11,
    ApprovalLapsed = 12,
    NoApprovalNeeded = 13,
    CannotPass = 14,
}
