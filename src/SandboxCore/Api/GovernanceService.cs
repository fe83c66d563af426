using System.Threading.Channels;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.Api.Mapping;
using Sandboxd.Core.Orchestration.Governance;
using Sandboxd.Governance;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Events;
using Proposal = Sandboxd.Api.V1.Proposal;
using ProposalStatus = Sandboxd.Governance.Approval.ProposalStatus;
using SpecOverrides = Sandboxd.Governance.Specs.SpecOverrides;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.Governance: dry-run assessment, profiles, and the proposals of the
/// caller's tenant (an admin's: all) with their votes.</summary>
public sealed class GovernanceService(Orchestrator orchestrator) : Sandboxd.Api.V1.Governance.GovernanceBase
{
    private GovernanceGate Gate => orchestrator.Governance;

    private ApprovalEngine Engine => Gate.Engine;

    public override Task<Assessment> Assess(AssessRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var spec = Gate.Resolve(request.Profile, caller.Principal?.Roles ?? [], SpecMapping.FromRequest(request.Overrides is { } o ? SpecProtoMapping.FromProto(o) : null, "overrides"));
        var assessment = GovernanceGate.Assess(spec);
        var answer = new Assessment
        {
            Level = SpecMapping.Name(assessment.Level), Spec = SpecProtoMapping.ToProto(spec), SpecSha256 = Sandboxd.Governance.Specs.SpecEncoding.Hash(spec),
            NeedsApproval = Gate.NeedsApproval(caller.Tenant, assessment.Level),
        };
        answer.Findings.AddRange(SpecProtoMapping.ToProto(assessment.Findings));
        if (answer.NeedsApproval)
            answer.ApprovalRule = Rule(Gate.PolicyFor(caller.Tenant, assessment.Level));
        return Task.FromResult(answer);
    }

    public override Task<ListProfilesResponse> ListProfiles(ListProfilesRequest request, ServerCallContext context)
    {
        var response = new ListProfilesResponse();
        response.Profiles.AddRange(Gate.Config.Current.Profiles.Profiles.Select(p => View(p.Name, p.Source, p.Spec)));
        return Task.FromResult(response);
    }

    public override Task<ProfileView> ShowProfile(ShowProfileRequest request, ServerCallContext context)
    {
        var catalog = Gate.Config.Current.Profiles;
        if (request.ForRole.Length > 0)
        {
            var pattern = catalog.Patterns.FirstOrDefault(p => p.Role == request.ForRole);
            var spec = catalog.Resolve(null, [request.ForRole], SpecOverrides.None);
            var view = View(spec.Profile, catalog.Find(spec.Profile)?.Source, spec);
            view.Role = request.ForRole;
            view.FromPattern = pattern is not null;
            return Task.FromResult(view);
        }
        var profile = catalog.Find(request.Name)
            ?? throw new InvalidFieldException("name", $"no profile '{request.Name}' (known: {string.Join(", ", catalog.Profiles.Select(p => p.Name))})");
        return Task.FromResult(View(profile.Name, profile.Source, profile.Spec));
    }

    public override Task<ListProposalsResponse> ListProposals(ListProposalsRequest request, ServerCallContext context)
    {
        var status = request.Status == Sandboxd.Api.V1.ProposalStatus.Unspecified ? (ProposalStatus?)null : (ProposalStatus)(int)request.Status;
        var response = new ListProposalsResponse();
        response.Proposals.AddRange(Engine.List(Actor(context), status).Select(ToProto));
        return Task.FromResult(response);
    }

    public override Task<Proposal> GetProposal(GetProposalRequest request, ServerCallContext context) =>
        Task.FromResult(ToProto(Find(Actor(context), request.Id)));

    public override async Task<Proposal> Vote(VoteRequest request, ServerCallContext context)
    {
        if (request.ProposalId.Length == 0)
            throw new InvalidFieldException("proposal_id", "required");
        var after = await orchestrator.VoteAsync(Actor(context), request.ProposalId, request.Approve, request.Reason).ConfigureAwait(false);
        return ToProto(Engine.Get(GovernanceGate.Daemon, after.Id) ?? after);
    }

    /// <summary>The proposal now, then again at each step, until it is rejected, expired, or used
    /// with its create's outcome known; or until the caller's deadline.</summary>
    public override async Task WaitProposal(WaitProposalRequest request, IServerStreamWriter<Proposal> responseStream, ServerCallContext context)
    {
        var actor = Actor(context);
        var wake = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true });
        using var subscription = Gate.Notifier.Subscribe(id =>
        {
            if (id == request.Id)
                wake.Writer.TryWrite(true);
        });
        Proposal? sent = null;
        while (true)
        {
            var now = ToProto(Find(actor, request.Id));
            if (!now.Equals(sent))
                await responseStream.WriteAsync(now, context.CancellationToken).ConfigureAwait(false);
            sent = now;
            if (Finished(now))
                return;
            await wake.Reader.ReadAsync(context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task WatchProposals(WatchProposalsRequest request, IServerStreamWriter<ProposalEvent> responseStream, ServerCallContext context)
    {
        await foreach (var change in Engine.WatchAsync(Actor(context), context.CancellationToken).ConfigureAwait(false))
        {
            var message = new ProposalEvent { Kind = (ProposalEventKind)(int)change.Kind, Proposal = ToProto(change.Proposal) };
            if (change.Vote is { } vote)
                message.Vote = ProposalProtoMapping.ToProto(vote);
            await responseStream.WriteAsync(message, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static bool Finished(Proposal p) => p.Status switch
    {
        Sandboxd.Api.V1.ProposalStatus.Rejected or Sandboxd.Api.V1.ProposalStatus.Expired => true,
        Sandboxd.Api.V1.ProposalStatus.Used or Sandboxd.Api.V1.ProposalStatus.Approved => p.SandboxId.Length > 0 || p.CreateError.Length > 0,
        _ => false,
    };

    private Sandboxd.Governance.Approval.Proposal Find(Actor actor, string id) =>
        (id.Length == 0 ? throw new InvalidFieldException("id", "required") : Engine.Get(actor, id))
        ?? throw new GovernanceException(GovernanceError.ProposalNotFound, $"proposal: no proposal '{id}'");

    private Proposal ToProto(Sandboxd.Governance.Approval.Proposal p) => ProposalProtoMapping.ToProto(p, Gate.Requests.Find(p.Id));

    private static Actor Actor(ServerCallContext context) => GovernanceGate.ActorOf(context.Caller());

    private static ProfileView View(string name, string? source, Sandboxd.Governance.Specs.RequestSpec spec)
    {
        var assessment = GovernanceGate.Assess(spec);
        var view = new ProfileView { Name = name, Source = source ?? "", Spec = SpecProtoMapping.ToProto(spec), Level = SpecMapping.Name(assessment.Level) };
        view.Findings.AddRange(SpecProtoMapping.ToProto(assessment.Findings));
        return view;
    }

    private static string Rule(LevelPolicy policy) =>
        $"{(policy.Approvals is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all")} approval(s) from {string.Join(", ", policy.VotingRoles)}"
        + (policy.RequiredRoles.Count > 0 ? $" including {string.Join(", ", policy.RequiredRoles)}" : "")
        + (policy.DenyThreshold > 0 ? $"; {policy.DenyThreshold} rejection(s) reject" : "")
        + $"; valid {policy.Validity}";
}
