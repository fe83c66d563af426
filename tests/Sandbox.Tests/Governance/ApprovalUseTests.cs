using Sandboxd.Governance;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Events;
using Sandboxd.Governance.Risk;
using Xunit;
using static Sandboxd.Tests.Governance.GovernanceWorld;

namespace Sandboxd.Tests.Governance;

/// <summary>An approval is bound to the exact merged request and is used once, within its window.</summary>
public sealed class ApprovalUseTests : IDisposable
{
    private readonly GovernanceWorld _world = new();

    private static Proposal Approved(ApprovalEngine engine)
    {
        var p = Propose(engine, RiskLevel.Medium);
        return engine.Vote(As("sec"), p.Id, true, "allowlist is one package index");
    }

    [Fact]
    public void The_approved_request_is_used_once()
    {
        var engine = _world.Engine();
        var p = Approved(engine);
        var used = engine.Use(Engineer, p.Id, Spec(RiskLevel.Medium));
        Assert.Equal(ProposalStatus.Used, used.Status);
        Assert.Equal(_world.Clock.GetUtcNow(), used.UsedAt);
        var e = Assert.Throws<GovernanceException>(() => engine.Use(Engineer, p.Id, Spec(RiskLevel.Medium)));
        Assert.Equal(GovernanceError.AlreadyUsed, e.Error);
        Assert.Single(_world.Events.For(p.Id), x => x.Kind == GovernanceEventKind.ApprovalUsed);
    }

    [Fact]
    public void A_changed_request_does_not_match_its_approval()
    {
        var engine = _world.Engine();
        var p = Approved(engine);
        var changed = Spec(RiskLevel.Medium) with { Network = new(true, ["pypi.org", "evil.example"], false) };
        var e = Assert.Throws<GovernanceException>(() => engine.Use(Engineer, p.Id, changed));
        Assert.Equal(GovernanceError.SpecMismatch, e.Error);
        Assert.Equal(ProposalStatus.Approved, engine.Get(Admin, p.Id)!.Status);
        Assert.Equal(ProposalStatus.Used, engine.Use(Engineer, p.Id, Spec(RiskLevel.Medium)).Status);
    }

    [Fact]
    public void An_approval_is_used_within_its_window_only()
    {
        var engine = _world.Engine();
        var p = Approved(engine);
        _world.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromMilliseconds(1));
        Assert.Equal(GovernanceError.ApprovalLapsed, Assert.Throws<GovernanceException>(() => engine.Use(Engineer, p.Id, Spec(RiskLevel.Medium))).Error);
    }

    [Fact]
    public void A_pending_or_rejected_proposal_cannot_be_used()
    {
        var engine = _world.Engine();
        var pending = Propose(engine, RiskLevel.Medium);
        Assert.Equal(GovernanceError.NotApproved, Assert.Throws<GovernanceException>(() => engine.Use(Engineer, pending.Id, Spec(RiskLevel.Medium))).Error);
        engine.Vote(As("sys"), pending.Id, false, "no egress this week");
        Assert.Equal(GovernanceError.NotApproved, Assert.Throws<GovernanceException>(() => engine.Use(Engineer, pending.Id, Spec(RiskLevel.Medium))).Error);
    }

    public void Dispose() => _world.Dispose();
}
