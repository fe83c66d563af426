using System.Globalization;
using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Events;
using Sandboxd.Governance.Risk;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>Each committed governance step as an audit event of the proposal's tenant. The kinds
/// are sensitive (<see cref="AuditKinds.IsSensitive(AuditKind)"/>), so they reach the cold tier at once.</summary>
public sealed class AuditGovernanceEvents(IAuditSink audit) : IGovernanceEvents
{
    public void Publish(GovernanceEvent change)
    {
        var p = change.Proposal;
        var kind = change.Kind switch
        {
            GovernanceEventKind.ProposalSubmitted => AuditKind.GovernanceProposed,
            GovernanceEventKind.VoteCast => AuditKind.GovernanceVoted,
            GovernanceEventKind.ApprovalUsed => AuditKind.GovernanceApprovalUsed,
            _ => p.Status switch
            {
                ProposalStatus.Approved => AuditKind.GovernanceApproved,
                ProposalStatus.Expired => AuditKind.GovernanceExpired,
                _ => AuditKind.GovernanceRejected,
            },
        };
        var attributes = new Dictionary<string, string>
        {
            ["proposal"] = p.Id,
            ["level"] = SpecMapping.Name(p.Level),
            ["status"] = p.Status.ToString().ToLowerInvariant(),
            ["spec_sha256"] = p.SpecHash,
            ["proposer"] = p.ProposerPrincipal,
            ["approvals"] = p.Votes.Count(v => v.Approve).ToString(CultureInfo.InvariantCulture),
            ["rejections"] = p.Votes.Count(v => !v.Approve).ToString(CultureInfo.InvariantCulture),
        };
        if (p.Reason != DecisionReason.None)
            attributes["decision"] = SpecMapping.Decision(p.Reason);
        if (change.Vote is { } vote)
        {
            attributes["voter"] = vote.Principal;
            attributes["person"] = vote.Person;
            attributes["vote"] = vote.Approve ? "approve" : "reject";
            attributes["reason"] = vote.Reason;
        }
        if (change.Kind == GovernanceEventKind.ProposalSubmitted)
            attributes["findings"] = string.Join("; ", p.Findings.Select(f => $"{f.Rule} {SpecMapping.Name(f.Level)}: {f.Reason}"));
        var principal = change.Vote?.Principal ?? (change.Kind == GovernanceEventKind.ProposalSubmitted ? p.ProposerPrincipal : "sandboxd");
        audit.Emit(kind, new AuditCorrelation(p.Tenant, principal, p.Id), null, null, attributes, Risk(p.Level));
    }

    private static AuditRisk Risk(RiskLevel level) => level switch
    {
        RiskLevel.Low => AuditRisk.Low,
        RiskLevel.Medium => AuditRisk.Medium,
        RiskLevel.High => AuditRisk.High,
        _ => AuditRisk.Critical,
    };
}
