using Microsoft.Extensions.Logging;
using Sandboxd.Api.V1;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Orchestration.Governance;
using Sandboxd.Governance;
using Sandboxd.Governance.Approval;
using Proposal = Sandboxd.Governance.Approval.Proposal;
using ProposalStatus = Sandboxd.Governance.Approval.ProposalStatus;

namespace Sandboxd.Core.Orchestration;

/// <summary>Creates that wait for votes: the proposal instead of the sandbox, and the one create
/// its approval makes, as the proposer's tenant, of exactly the approved spec.</summary>
public sealed partial class Orchestrator
{
    public GovernanceGate Governance => governance;

    /// <summary>A quota the request could never fit is refused now, not after the votes.</summary>
    private Sandbox Propose(CreateRequest request, CreatePlan plan, Api.CallCorrelation? call)
    {
        var tenant = CallerTenant;
        using (admission.Reserve(tenant, plan.Limits, _live.Values.Select(l => l.Record)))
        {
        }
        var proposal = governance.Propose(call, tenant, request, plan);
        LogProposed(proposal.Id, SpecMapping.Name(proposal.Level));
        var pending = new Sandbox
        {
            State = SandboxState.PendingApproval, ProposalId = proposal.Id, Risk = SpecMapping.Name(proposal.Level), Profile = proposal.Spec.Profile,
            Image = plan.Image ?? "", Hostname = request.Hostname, CreatedUnixMs = proposal.CreatedAt.ToUnixTimeMilliseconds(),
            StateChangedUnixMs = proposal.CreatedAt.ToUnixTimeMilliseconds(), StateCause = "waiting for approval",
        };
        pending.Labels.Add(request.Labels);
        return pending;
    }

    /// <summary>Votes and, when this vote approved it, the create. Only the vote that decides sees
    /// Approved (the store serialises votes), and <see cref="ApprovalEngine.Use"/> admits one use.</summary>
    public async Task<Proposal> VoteAsync(Actor voter, string proposalId, bool approve, string reason)
    {
        var after = governance.Engine.Vote(voter, proposalId, approve, reason);
        return after.Status == ProposalStatus.Approved ? await CreateApprovedAsync(after).ConfigureAwait(false) : after;
    }

    /// <summary>Approved proposals whose create did not happen (the daemon stopped between the
    /// deciding vote and the create): made at start, within their use window.</summary>
    public async Task ResumeApprovedAsync()
    {
        foreach (var approved in governance.Engine.List(GovernanceGate.Daemon, ProposalStatus.Approved))
        {
            try
            {
                await CreateApprovedAsync(approved).ConfigureAwait(false);
            }
            catch (GovernanceException e)
            {
                LogApprovalUnusable(approved.Id, e.Message);
            }
        }
    }

    private async Task<Proposal> CreateApprovedAsync(Proposal approved)
    {
        var stored = governance.Requests.Find(approved.Id)
            ?? throw new GovernanceException(GovernanceError.ProposalNotFound, $"{approved.Id}: its create request is not stored");
        var request = CreateRequest.Parser.ParseFrom(stored.Request);
        // The one use: bound to the hash of the approved spec, once, within its window.
        var used = governance.Engine.Use(GovernanceGate.Daemon, approved.Id, approved.Spec);
        // The create runs as the proposer's tenant, whoever cast the deciding vote.
        Api.CallCorrelation.Current = new Api.CallCorrelation(approved.Tenant, false, null,
            new AuditCorrelation(approved.Tenant, approved.ProposerPrincipal, approved.Id));
        try
        {
            var sandbox = await LaunchAsync(request, GovernanceGate.PlanApproved(approved, request), null).ConfigureAwait(false);
            governance.Requests.Created(approved.Id, sandbox.Id);
            governance.Notifier.Notify(approved.Id);
        }
        catch (Exception e) when (Api.ErrorMapping.ToStatus(e) is not null || e is GovernanceException)
        {
            governance.Requests.Failed(approved.Id, e.Message);
            governance.Notifier.Notify(approved.Id);
            LogApprovedCreateFailed(approved.Id, e.Message);
        }
        return used;
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "proposal {ProposalId} ({Level}) waits for approval")]
    private partial void LogProposed(string proposalId, string level);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "approved proposal {ProposalId} could not create its sandbox: {Error}")]
    private partial void LogApprovedCreateFailed(string proposalId, string error);

    [LoggerMessage(EventId = 62, Level = LogLevel.Warning, Message = "approved proposal {ProposalId} not used at start: {Error}")]
    private partial void LogApprovalUnusable(string proposalId, string error);
}
