using Sandboxd.Governance;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Events;
using Sandboxd.Governance.Risk;
using Xunit;
using static Sandboxd.Tests.Governance.GovernanceWorld;

namespace Sandboxd.Tests.Governance;

/// <summary>What the SQLite file keeps: across a restart, under racing votes from two
/// connections, per tenant, and for ever.</summary>
public sealed class ApprovalStoreTests : IDisposable
{
    private readonly GovernanceWorld _world = new();

    [Fact]
    public void Voting_continues_after_a_restart()
    {
        var first = _world.Engine();
        var p = Propose(first, RiskLevel.High);
        first.Vote(As("pm"), p.Id, true, "scope is clear");
        first.Vote(As("qa"), p.Id, false, "no test plan");
        first.Vote(As("arch"), p.Id, true, "fits the design");

        // A new engine on the same file: what the old one held in memory is gone.
        var second = _world.Engine();
        var reread = second.Get(Admin, p.Id)!;
        Assert.Equal(ProposalStatus.Pending, reread.Status);
        Assert.Equal([("pm", true, "scope is clear"), ("qa", false, "no test plan"), ("arch", true, "fits the design")],
            reread.Votes.Select(v => (v.Person, v.Approve, v.Reason)));
        Assert.Equal(p.SpecHash, reread.SpecHash);
        Assert.Equal(GovernanceError.AlreadyVoted, Assert.Throws<GovernanceException>(() => second.Vote(As("pm"), p.Id, true, "again")).Error);
        var decided = second.Vote(As("sec"), p.Id, true, "reviewed the mounts");
        Assert.Equal(ProposalStatus.Approved, decided.Status);
        Assert.Equal(ProposalStatus.Used, second.Use(Engineer, p.Id, Spec(RiskLevel.High)).Status);
    }

    [Fact]
    public async Task Votes_racing_to_the_quorum_decide_exactly_once()
    {
        // Two engines = two connections to one file; every reviewer votes from two principals, one on each.
        var engines = new[] { _world.Engine(), _world.Engine() };
        var proposals = Enumerable.Range(0, 10).Select(_ => Propose(engines[0], RiskLevel.High)).ToList();
        foreach (var p in proposals)
        {
            var voters = Reviewers.SelectMany(person => new[] { (person, 0), (person, 1) }).ToList();
            using var start = new Barrier(voters.Count);
            var outcomes = voters.Select(v => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                try
                {
                    engines[v.Item2].Vote(As(v.person, principal: $"p{v.Item2}:{v.person}"), p.Id, true, "race");
                    return (GovernanceError?)null;
                }
                catch (GovernanceException e)
                {
                    return e.Error;
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            await Task.WhenAll(outcomes);

            var stored = engines[1].Get(Admin, p.Id)!;
            Assert.Equal(ProposalStatus.Approved, stored.Status);
            Assert.Equal(3, stored.Votes.Count);
            Assert.Equal(3, stored.Votes.Select(v => v.Person).Distinct().Count());
            Assert.Equal(3, outcomes.Count(o => o.Result is null));
            Assert.All(outcomes.Where(o => o.Result is not null), o => Assert.True(o.Result is GovernanceError.NotPending or GovernanceError.AlreadyVoted, o.Result.ToString()));
            Assert.Single(_world.Events.For(p.Id), e => e.Kind == GovernanceEventKind.ProposalDecided);
            Assert.Equal(3, _world.Events.For(p.Id).Count(e => e.Kind == GovernanceEventKind.VoteCast));
        }
    }

    [Fact]
    public void History_keeps_every_outcome_with_every_vote()
    {
        var engine = _world.Engine();
        var used = Propose(engine, RiskLevel.Medium);
        engine.Vote(As("arch"), used.Id, true, "ok");
        engine.Use(Engineer, used.Id, Spec(RiskLevel.Medium));
        var approved = Propose(engine, RiskLevel.Medium);
        engine.Vote(As("sec"), approved.Id, true, "ok too");
        var rejected = Propose(engine, RiskLevel.Medium);
        engine.Vote(As("sys"), rejected.Id, false, "too broad");
        var expired = Propose(engine, RiskLevel.High);
        engine.Vote(As("qa"), expired.Id, true, "fine by QA");
        _world.Clock.Advance(TimeSpan.FromDays(30));

        var history = _world.Engine().List(Admin);
        Assert.Equal([ProposalStatus.Used, ProposalStatus.Approved, ProposalStatus.Rejected, ProposalStatus.Expired], history.Select(p => p.Status));
        Assert.Equal(["ok", "ok too", "too broad", "fine by QA"], history.Select(p => Assert.Single(p.Votes).Reason));
        Assert.Equal([expired.Id], _world.Engine().List(Admin, ProposalStatus.Expired).Select(p => p.Id));
    }

    [Fact]
    public void Another_tenant_sees_nothing_of_a_proposal()
    {
        var engine = _world.Engine();
        var p = Propose(engine, RiskLevel.Medium);
        var outsider = As("arch", tenant: "team-b");
        Assert.Null(engine.Get(outsider, p.Id));
        Assert.Empty(engine.List(outsider));
        Assert.Equal(GovernanceError.ProposalNotFound, Assert.Throws<GovernanceException>(() => engine.Vote(outsider, p.Id, true, "x")).Error);
        Assert.Equal(GovernanceError.ProposalNotFound, Assert.Throws<GovernanceException>(() => engine.Vote(outsider, "p-doesnotexist", true, "x")).Error);
        Assert.Equal(GovernanceError.ProposalNotFound, Assert.Throws<GovernanceException>(() => engine.Use(outsider, p.Id, Spec(RiskLevel.Medium))).Error);
        Assert.NotNull(engine.Get(As("arch"), p.Id));
        Assert.Single(engine.List(Admin));
    }

    [Fact]
    public async Task A_reviewer_watches_the_proposals_they_may_vote_on()
    {
        var engine = _world.Engine();
        var before = Propose(engine, RiskLevel.Medium);
        using var cancel = new CancellationTokenSource();
        await using var architect = engine.WatchAsync(As("arch"), cancel.Token).GetAsyncEnumerator(cancel.Token);
        await using var qa = engine.WatchAsync(As("qa"), cancel.Token).GetAsyncEnumerator(cancel.Token);

        Assert.True(await architect.MoveNextAsync());
        Assert.Equal((GovernanceEventKind.ProposalSubmitted, before.Id), (architect.Current.Kind, architect.Current.Proposal.Id));
        var later = Propose(engine, RiskLevel.Medium);
        engine.Vote(As("sec"), later.Id, true, "fine");
        Assert.True(await architect.MoveNextAsync());
        Assert.Equal((GovernanceEventKind.ProposalSubmitted, later.Id), (architect.Current.Kind, architect.Current.Proposal.Id));
        Assert.True(await architect.MoveNextAsync());
        Assert.Equal((GovernanceEventKind.VoteCast, "sec"), (architect.Current.Kind, architect.Current.Vote!.Person));
        Assert.True(await architect.MoveNextAsync());
        Assert.Equal((GovernanceEventKind.ProposalDecided, ProposalStatus.Approved), (architect.Current.Kind, architect.Current.Proposal.Status));

        // QA may not vote at MEDIUM: the first thing it hears of is the HIGH proposal.
        var high = Propose(engine, RiskLevel.High);
        Assert.True(await qa.MoveNextAsync());
        Assert.Equal((GovernanceEventKind.ProposalSubmitted, high.Id), (qa.Current.Kind, qa.Current.Proposal.Id));
        await cancel.CancelAsync();
    }

    public void Dispose() => _world.Dispose();
}
