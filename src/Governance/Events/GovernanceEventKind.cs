namespace Sandboxd.Governance.Events;

/// <summary>Every step of an approval, for the audit record. Numbers are frozen.</summary>
public enum GovernanceEventKind
{
    ProposalSubmitted = 1,
    VoteCast = 2,
    ProposalDecided = 3,
    ApprovalUsed = 4,
}
