namespace Sandboxd.Governance.Approval;

/// <summary>Persisted: numbers are frozen. Expired counts as rejected.</summary>
public enum ProposalStatus
{
    Pending = 1,
    Approved = 2,
    Rejected = 3,
    Expired = 4,
    Used = 5,
}
