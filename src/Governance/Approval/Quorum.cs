namespace Sandboxd.Governance.Approval;

/// <summary>The arithmetic of a vote, with no I/O: where a proposal stands given its votes.</summary>
public static class Quorum
{
    public static (ProposalStatus Status, DecisionReason Reason) Evaluate(QuorumRules rules, IReadOnlyList<Vote> votes)
    {
        var approvers = votes.Where(v => v.Approve).ToList();
        var denials = votes.Count - approvers.Count;
        if (rules.DenyThreshold > 0 && denials >= rules.DenyThreshold)
            return (ProposalStatus.Rejected, DecisionReason.DenyThreshold);
        var missingRoles = rules.RequiredRoles.Where(role => !approvers.Any(v => v.Roles.Contains(role))).ToList();
        if (approvers.Count >= rules.Required && missingRoles.Count == 0)
            return (ProposalStatus.Approved, DecisionReason.Quorum);
        if (rules.EarlyRejection && !CanStillPass(rules, votes, approvers.Count, missingRoles))
            return (ProposalStatus.Rejected, DecisionReason.CannotPass);
        return (ProposalStatus.Pending, DecisionReason.None);
    }

    /// <summary>Counts the eligible people who have not voted: too few left for the quorum, or
    /// none left holding a required role nobody has approved with, and it cannot pass.</summary>
    private static bool CanStillPass(QuorumRules rules, IReadOnlyList<Vote> votes, int approvals, List<string> missingRoles)
    {
        var remaining = rules.Eligible.Where(p => !votes.Any(v => v.Person == p.Id)).ToList();
        if (approvals + remaining.Count < rules.Required)
            return false;
        return missingRoles.All(role => remaining.Any(p => p.Roles.Contains(role)));
    }
}
