using Sandboxd.Governance;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Events;
using Sandboxd.Governance.Risk;
using Xunit;
using static Sandboxd.Tests.Governance.GovernanceWorld;

namespace Sandboxd.Tests.Governance;

/// <summary>The quorum of each level on a real SQLite file: who may vote, how many, which roles, and when it is over.</summary>
public sealed class ApprovalQuorumTests : IDisposable
{
    private readonly GovernanceWorld _world = new();

    private static GovernanceError Refused(Action action) => Assert.Throws<GovernanceException>(action).Error;

    private static Proposal Approve(ApprovalEngine engine, Proposal p, params string[] people)
    {
        foreach (var person in people)
            p = engine.Vote(As(person), p.Id, approve: true, $"{person} read the findings");
        return p;
    }

    private static Proposal Deny(ApprovalEngine engine, Proposal p, params string[] people)
    {
        foreach (var person in people)
            p = engine.Vote(As(person), p.Id, approve: false, $"{person} says no");
        return p;
    }

    [Fact]
    public void A_low_request_needs_no_proposal()
    {
        var engine = _world.Engine();
        Assert.False(ApprovalMatrix.Default(People).NeedsApproval(RiskLevel.Low));
        Assert.Equal(GovernanceError.NoApprovalNeeded, Refused(() => Propose(engine, RiskLevel.Low)));
        Assert.Empty(engine.List(Admin));
    }

    [Fact]
    public void A_medium_request_passes_with_one_approval()
    {
        var engine = _world.Engine();
        var p = Propose(engine, RiskLevel.Medium);
        Assert.Equal(ProposalStatus.Pending, p.Status);
        Assert.Equal(1, p.Rules.Required);
        Assert.Contains(p.Findings, f => f.Rule == "egress");
        p = Approve(engine, p, "arch");
        Assert.Equal(ProposalStatus.Approved, p.Status);
        Assert.Equal(DecisionReason.Quorum, p.Reason);
        Assert.Equal(_world.Clock.GetUtcNow() + TimeSpan.FromMinutes(15), p.UseUntil);
        Assert.Equal([GovernanceEventKind.ProposalSubmitted, GovernanceEventKind.VoteCast, GovernanceEventKind.ProposalDecided],
            _world.Events.For(p.Id).Select(e => e.Kind));
        Assert.Equal("arch read the findings", _world.Events.For(p.Id)[1].Vote!.Reason);
    }

    [Fact]
    public void A_role_that_may_not_vote_at_a_level_is_refused()
    {
        var engine = _world.Engine();
        var p = Propose(engine, RiskLevel.Medium);
        var e = Assert.Throws<GovernanceException>(() => Approve(engine, p, "qa"));
        Assert.Equal(GovernanceError.NotEligible, e.Error);
        Assert.Contains("Architect, Security, System", e.Message, StringComparison.Ordinal);
        Assert.Empty(engine.Get(Admin, p.Id)!.Votes);
    }

    [Fact]
    public void A_high_request_needs_three_of_the_five_eligible()
    {
        var engine = _world.Engine();
        var p = Propose(engine, RiskLevel.High);
        Assert.Equal(Reviewers, p.Rules.Eligible.Select(x => x.Id));
        Assert.Equal(3, p.Rules.Required);
        p = Approve(engine, p, "pm", "qa");
        Assert.Equal(ProposalStatus.Pending, p.Status);
        p = Approve(engine, p, "sys");
        Assert.Equal(ProposalStatus.Approved, p.Status);
        Assert.Equal(GovernanceError.NotPending, Refused(() => Approve(engine, p, "sec")));
    }

    [Fact]
    public void A_critical_request_needs_all_five()
    {
        var engine = _world.Engine();
        var p = Propose(engine, RiskLevel.Critical);
        Assert.Equal(5, p.Rules.Required);
        p = Approve(engine, p, "pm", "arch", "qa", "sec");
        Assert.Equal(ProposalStatus.Pending, p.Status);
        p = Approve(engine, p, "sys");
        Assert.Equal(ProposalStatus.Approved, p.Status);
    }

    [Fact]
    public void A_required_role_must_be_among_the_approvers()
    {
        var engine = _world.Engine(m => WithLevel(m, RiskLevel.High, l => l with { RequiredRoles = ["Security"] }));
        var p = Propose(engine, RiskLevel.High);
        p = Approve(engine, p, "pm", "arch", "qa");
        Assert.Equal(ProposalStatus.Pending, p.Status);
        p = Approve(engine, p, "sec");
        Assert.Equal(ProposalStatus.Approved, p.Status);
    }

    [Fact]
    public void A_required_role_that_denied_rejects_at_once()
    {
        var engine = _world.Engine(m => WithLevel(m, RiskLevel.High, l => l with { RequiredRoles = ["Security"] }));
        var p = Deny(engine, Propose(engine, RiskLevel.High), "sec");
        Assert.Equal(ProposalStatus.Rejected, p.Status);
        Assert.Equal(DecisionReason.CannotPass, p.Reason);
    }

    [Fact]
    public void The_proposer_cannot_vote_even_through_a_second_principal()
    {
        var engine = _world.Engine();
        var architect = As("arch");
        var p = Propose(engine, RiskLevel.Medium, architect);
        Assert.DoesNotContain(p.Rules.Eligible, x => x.Id == "arch");
        Assert.Equal(GovernanceError.SelfVote, Refused(() => engine.Vote(architect, p.Id, true, "mine")));
        Assert.Equal(GovernanceError.SelfVote, Refused(() => engine.Vote(As("arch", principal: "token:arch-laptop"), p.Id, true, "mine")));
        Assert.Empty(engine.Get(Admin, p.Id)!.Votes);
    }

    [Fact]
    public void One_vote_per_principal_and_per_person()
    {
        var engine = _world.Engine();
        var p = Approve(engine, Propose(engine, RiskLevel.High), "pm");
        Assert.Equal(GovernanceError.AlreadyVoted, Refused(() => Approve(engine, p, "pm")));
        Assert.Equal(GovernanceError.AlreadyVoted, Refused(() => engine.Vote(As("pm", principal: "token:pm-2"), p.Id, true, "again")));
        Assert.Single(engine.Get(Admin, p.Id)!.Votes);
    }

    [Fact]
    public void A_vote_without_a_reason_is_refused() =>
        Assert.Equal(GovernanceError.ReasonRequired, Refused(() =>
        {
            var engine = _world.Engine();
            engine.Vote(As("arch"), Propose(engine, RiskLevel.Medium).Id, true, " ");
        }));

    [Fact]
    public void The_deny_threshold_rejects()
    {
        var engine = _world.Engine();
        var high = Deny(engine, Propose(engine, RiskLevel.High), "pm");
        Assert.Equal(ProposalStatus.Pending, high.Status);
        high = Deny(engine, high, "qa");
        Assert.Equal(ProposalStatus.Rejected, high.Status);
        Assert.Equal(DecisionReason.DenyThreshold, high.Reason);
        var medium = Deny(engine, Propose(engine, RiskLevel.Medium), "sec");
        Assert.Equal((ProposalStatus.Rejected, DecisionReason.DenyThreshold), (medium.Status, medium.Reason));
    }

    [Fact]
    public void A_high_proposal_is_rejected_as_soon_as_it_cannot_pass()
    {
        var engine = _world.Engine(m => WithLevel(m, RiskLevel.High, l => l with { DenyThreshold = 0 }));
        var p = Deny(engine, Approve(engine, Propose(engine, RiskLevel.High), "pm"), "arch", "qa");
        Assert.Equal(ProposalStatus.Pending, p.Status);
        p = Deny(engine, p, "sec");
        Assert.Equal((ProposalStatus.Rejected, DecisionReason.CannotPass), (p.Status, p.Reason));
    }

    [Fact]
    public void A_critical_proposal_is_rejected_by_its_first_denial()
    {
        var engine = _world.Engine(m => WithLevel(m, RiskLevel.Critical, l => l with { DenyThreshold = 0 }));
        var p = Deny(engine, Approve(engine, Propose(engine, RiskLevel.Critical), "pm", "arch"), "sys");
        Assert.Equal((ProposalStatus.Rejected, DecisionReason.CannotPass), (p.Status, p.Reason));
    }

    [Fact]
    public void A_medium_proposal_is_not_rejected_early()
    {
        var engine = _world.Engine(m => WithLevel(m, RiskLevel.Medium, l => l with { DenyThreshold = 0 }));
        var p = Deny(engine, Propose(engine, RiskLevel.Medium), "arch", "sec", "sys");
        Assert.Equal(ProposalStatus.Pending, p.Status);
    }

    [Fact]
    public void A_proposal_expires_on_the_clock_and_expired_is_rejected()
    {
        var engine = _world.Engine();
        var p = Approve(engine, Propose(engine, RiskLevel.High), "pm");
        _world.Clock.Advance(TimeSpan.FromHours(4) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, engine.ExpireDue());
        Assert.Equal(ProposalStatus.Pending, engine.Get(Admin, p.Id)!.Status);
        _world.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(GovernanceError.Expired, Refused(() => Approve(engine, p, "qa")));
        var expired = engine.Get(Admin, p.Id)!;
        Assert.Equal((ProposalStatus.Expired, DecisionReason.Expired), (expired.Status, expired.Reason));
        Assert.Single(expired.Votes);
        Assert.Equal(GovernanceError.Expired, Refused(() => engine.Use(Engineer, p.Id, Spec(RiskLevel.High))));
        var decided = Assert.Single(_world.Events.For(p.Id), e => e.Kind == GovernanceEventKind.ProposalDecided);
        Assert.Equal(ProposalStatus.Expired, decided.Proposal.Status);
    }

    public void Dispose() => _world.Dispose();
}
