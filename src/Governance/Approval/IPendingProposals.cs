namespace Sandboxd.Governance.Approval;

/// <summary>How many proposals wait for votes, read by the daemon's metrics at each scrape
/// (sandboxd_governance_pending_proposals). The daemon registers a count of none until proposals
/// are wired into it; the wiring registers its own implementation in the container instead.</summary>
public interface IPendingProposals
{
    int PendingCount();
}
