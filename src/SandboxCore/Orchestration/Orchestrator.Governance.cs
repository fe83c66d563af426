using Microsoft.Extensions.Logging;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Orchestration.Governance;
using Sandboxd.Governance;
using Sandboxd.Governance.Approval;
using Proposal = Sandboxd.Governance.Approval.Proposal;
using ProposalStatus = Sandboxd.Governance.Approval.ProposalStatus;
using Sandboxd.Core.State;

namespace Sandboxd.Core.Orchestration;

/// <summary>Creates that wait for votes: the proposal instead of the sandbox, and the one create
/// its approval makes, as the proposer's tenant, of exactly the approved spec.</summary>
public sealed partial class Orchestrator
{
    public GovernanceGate Governance => governance;

    /// <summary>A quota the request could never fit is refused now, not after the votes.</summary>
    private SandboxView Propose(CreateSandbox request, CreatePlan plan, Api.CallCorrelation? call)
    {
        var tenant = CallerTenant;
        using (admission.Reserve(tenant, plan.Limits, _live.Values.Select(l => l.Record)))
        {
        }
        var proposal = governance.Propose(call, tenant, request, plan);
        LogProposed(proposal.Id, SpecMapping.Name(proposal.Level));
        // No sandbox exists yet: no id, no init, nothing stored.
        var created = proposal.CreatedAt.ToUnixTimeMilliseconds();
        return new SandboxView(new SandboxRecord("", SandboxState.PendingApproval, plan.Image ?? "", request.Hostname, created, 0,
            SpecMapping.Name(proposal.Level), new Dictionary<string, string>(request.Labels), proposal.Spec.Profile, plan.Limits, created,
            "waiting for approval") { ProposalId = proposal.Id });
    }

    /// <summary>Votes and, when this vote approved it, the create. Only the vote that decides sees
    /// Approved (the store serialises votes), and <see cref="ApprovalEngine.Use"/> admits one use.</summary>
    public async Task<Proposal> VoteAsync(Actor voter, string proposalId, bool approve, string reason)
    {
        var after = governance.Engine.Vote(voter, proposalId, approve, reason);
        return after.Status == ProposalStatus.Approved ? await CreateApprovedAsync(after).ConfigureAwait(false) : after;
    }

    /// <summary>Approved proposals whose create did not happen (the daemon stopped between the
    /// deciding vote and the create): made at start, within their use window. One whose use was
    /// already refused (its create_error is set) is not tried again.</summary>
    public async Task ResumeApprovedAsync()
    {
        int tried = 0;
        foreach (var approved in governance.Engine.List(GovernanceGate.Daemon, ProposalStatus.Approved))
            if (governance.Requests.Find(approved.Id) is not { CreateError: not null })
            {
                await CreateApprovedAsync(approved).ConfigureAwait(false);
                tried++;
            }
        LogApprovedResumed(tried);
    }

    /// <summary>The one use of an approval: bound to the hash of the approved spec, once, within
    /// its window. A use refused (the stored spec no longer matches its hash, the window passed)
    /// or a create that failed is kept with the proposal as its create_error; the proposal stays
    /// as it was (approved, or used), and nothing is created.</summary>
    private async Task<Proposal> CreateApprovedAsync(Proposal approved)
    {
        var caller = Api.CallCorrelation.Current;
        var after = approved;
        try
        {
            var stored = governance.Requests.Find(approved.Id)
                ?? throw new GovernanceException(GovernanceError.ProposalNotFound, $"{approved.Id}: its create request is not stored");
            var request = governance.StoredCreate(stored.Request);
            after = governance.Engine.Use(GovernanceGate.Daemon, approved.Id, approved.Spec);
            // The create runs as the proposer's tenant, whoever cast the deciding vote.
            Api.CallCorrelation.Current = new Api.CallCorrelation(approved.Tenant, false, null,
                new AuditCorrelation(approved.Tenant, approved.ProposerPrincipal, approved.Id));
            var sandbox = await LaunchAsync(request, GovernanceGate.PlanApproved(approved, request), null, approved.Id).ConfigureAwait(false);
            governance.Requests.Created(approved.Id, sandbox.Id);
        }
        catch (Exception e) when (Api.ErrorMapping.ToStatus(e) is not null)
        {
            governance.Requests.Failed(approved.Id, e.Message);
            LogApprovedCreateFailed(approved.Id, e.Message);
        }
        finally
        {
            Api.CallCorrelation.Current = caller;
            governance.Notifier.Notify(approved.Id);
        }
        return after;
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "proposal {ProposalId} ({Level}) waits for approval")]
    private partial void LogProposed(string proposalId, string level);

    [LoggerMessage(EventId = 62, Level = LogLevel.Information, Message = "approved proposals at start: {Count} create(s) tried")]
    private partial void LogApprovedResumed(int count);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "approved proposal {ProposalId} could not create its sandbox: {Error}")]
    private partial void LogApprovedCreateFailed(string proposalId, string error);
}
