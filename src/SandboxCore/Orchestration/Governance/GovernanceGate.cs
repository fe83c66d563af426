using Sandboxd.Core.Api;
using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Governance;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Config;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using Proposal = Sandboxd.Governance.Approval.Proposal;
using RequestSpec = Sandboxd.Governance.Specs.RequestSpec;
using SpecOverrides = Sandboxd.Governance.Specs.SpecOverrides;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>Where a create meets governance: its merged request (profile or the caller's role
/// pattern, then overrides), the assessment, and whether it waits for votes under the config in
/// force. Approval is enforced when the config has an <c>approval</c> section; without one (the
/// built-in config, where nobody could vote) a risky create is made at once with its risk recorded.</summary>
public sealed class GovernanceGate(ConfigHolder config, ApprovalEngine engine, ProposalRequests requests, GovernanceNotifier notifier,
    IStoredForms forms) : IDisposable
{
    /// <summary>The daemon itself, for the one use of an approval: it sees every tenant.</summary>
    public static Actor Daemon { get; } = new("sandboxd", "sandboxd", [], null);

    private ITimer? _expiry;

    public ApprovalEngine Engine => engine;

    public ProposalRequests Requests => requests;

    public GovernanceNotifier Notifier => notifier;

    public ConfigHolder Config => config;

    /// <summary>A stored create request (the one an approval makes) back as asked.</summary>
    public CreateSandbox StoredCreate(byte[] stored) => forms.DecodeCreate(stored);

    public bool Enforced => config.Current.Approval is not null;

    /// <summary>Expires due proposals every second, so waiters and watchers hear of it without asking.</summary>
    public void Start(TimeProvider clock) =>
        _expiry = clock.CreateTimer(_ => engine.ExpireDue(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    public static RiskAssessment Assess(RequestSpec spec) => RiskAssessor.Assess(spec, RiskPolicy.Default);

    /// <summary>The plan of a create. The path without profiles (no approval section, no profile
    /// named or only a seccomp profile, no role pattern) is the one sandboxd had before profiles.</summary>
    public CreatePlan Plan(CreateSandbox request, string? image, Principal? principal)
    {
        var current = config.Current;
        var roles = principal?.Roles ?? [];
        bool seccompName = request.Profile is "" or "default" or "strict";
        bool patterned = request.Profile.Length == 0 && roles.Any(r => current.Patterns.Any(p => p.Role == r));
        if (!Enforced && seccompName && !patterned && request.Overrides is null)
            return Legacy(request, image);
        if (request.Profile is "default" or "strict")
            throw new InvalidFieldException("profile", $"'{request.Profile}' is a seccomp profile; name a governance profile ({Known(current)}) and set overrides.seccomp");
        var spec = Resolve(request.Profile, roles, SpecMapping.FromCreate(request, image));
        return SpecRun.Plan(spec, Assess(spec), request);
    }

    /// <summary>The approved spec, exactly, with the stored request's other fields.</summary>
    public static CreatePlan PlanApproved(Proposal approved, CreateSandbox request) =>
        SpecRun.Plan(approved.Spec, new RiskAssessment(approved.Level, approved.Findings), request);

    public RequestSpec Resolve(string profile, IReadOnlyList<string> roles, SpecOverrides overrides)
    {
        try
        {
            return config.Current.Profiles.Resolve(profile.Length == 0 ? null : profile, roles, overrides);
        }
        catch (GovernanceException e) when (e.Error == GovernanceError.UnknownProfile)
        {
            throw new InvalidFieldException("profile", e.Message.StartsWith("profile: ", StringComparison.Ordinal) ? e.Message[9..] : e.Message);
        }
    }

    public bool NeedsApproval(string tenant, RiskLevel level) => Enforced && config.Current.ApprovalFor(tenant).NeedsApproval(level);

    public LevelPolicy PolicyFor(string tenant, RiskLevel level) => config.Current.ApprovalFor(tenant).For(level);

    /// <summary>Opens the proposal and keeps the request beside it for the create its approval makes.</summary>
    public Proposal Propose(CallCorrelation? call, string tenant, CreateSandbox request, CreatePlan plan)
    {
        var proposal = engine.Propose(ActorOf(call), tenant, plan.Spec!, plan.Assessment!);
        requests.Save(proposal.Id, forms.EncodeCreate(request));
        return proposal;
    }

    /// <summary>The caller as governance sees them: principal, person, roles, and their tenant
    /// (null for an admin acting as the operator, who sees every tenant's proposals).</summary>
    public static Actor ActorOf(CallCorrelation? call)
    {
        if (call?.Principal is not { } p)
            return Daemon;
        return new Actor(p.Name, p.Person, p.Roles, call.Caller.IsOperator ? null : call.Tenant);
    }

    private static CreatePlan Legacy(CreateSandbox request, string? image)
    {
        var profile = LimitsResolver.Profile(request.Profile);
        var limits = LimitsResolver.Resolve(profile, request.Resources);
        var network = SandboxNetwork.From(request.Network);
        // What this request changes of the LOW built-in: its image and its egress.
        var spec = Sandboxd.Governance.Profiles.BuiltinProfiles.Low.Spec with
        {
            Image = image,
            Network = network.IsEgress ? new NetworkPolicySpec(true, [], false) : NetworkPolicySpec.None,
        };
        return new CreatePlan(image, profile, limits, network, Assess(spec).Level, null, null,
            request.TtlMs > 0 ? TimeSpan.FromMilliseconds(request.TtlMs) : null);
    }

    private static string Known(SandboxdConfig current) => string.Join(", ", current.Profiles.Profiles.Select(p => p.Name));

    public void Dispose() => _expiry?.Dispose();
}
