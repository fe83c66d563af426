namespace Sandboxd.Governance.Approval;

/// <summary>How a proposal of one risk level is decided.</summary>
/// <param name="Approvals">Approvals needed; 0: approved at once (no proposal); null: every eligible person.</param>
/// <param name="VotingRoles">Roles that may vote at this level.</param>
/// <param name="RequiredRoles">Each must be among the approvers (AND): "3 votes, at least one from Security".</param>
/// <param name="DenyThreshold">This many rejections reject; 0: only the quorum's arithmetic does.</param>
/// <param name="Validity">Time to gather the votes; past it the proposal is expired (= rejected).</param>
/// <param name="UseWindow">After approval, the time within which the sandbox must be created (once).</param>
public sealed record LevelPolicy(int? Approvals, IReadOnlyList<string> VotingRoles, IReadOnlyList<string> RequiredRoles,
    int DenyThreshold, TimeSpan Validity, TimeSpan UseWindow);
