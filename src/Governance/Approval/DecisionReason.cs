namespace Sandboxd.Governance.Approval;

/// <summary>Why a proposal left Pending. Persisted: numbers are frozen.</summary>
public enum DecisionReason
{
    None = 0,
    Quorum = 1,
    DenyThreshold = 2,
    CannotPass = 3,
    Expired = 4,
}
