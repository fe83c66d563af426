using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Sandboxd.Governance.Events;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Approval;

/// <summary>Proposals for risky sandboxes and the votes that decide them. Each step is one
/// transaction on <see cref="ProposalStore"/>, then one <see cref="GovernanceEvent"/> to the
/// sink and to every watcher. Expiry is read from the injected clock at each step (and by
/// <see cref="ExpireDue"/>, which the daemon calls on a timer so watchers hear of it).</summary>
/// <param name="matrixFor">The matrix in force for a tenant's proposal (the daemon's follows config reloads).</param>
public sealed class ApprovalEngine(ProposalStore store, Func<string, ApprovalMatrix> matrixFor, TimeProvider clock, IGovernanceEvents sink)
{
    private readonly Lock _watchersLock = new();
    private readonly List<Channel<GovernanceEvent>> _watchers = [];

    public ApprovalEngine(ProposalStore store, ApprovalMatrix matrix, TimeProvider clock, IGovernanceEvents sink)
        : this(store, _ => matrix, clock, sink)
    {
    }

    /// <summary>Opens a proposal for <paramref name="spec"/> at its assessed level. The rules of
    /// the level are copied into it, with the people eligible to vote (the proposer is not).</summary>
    public Proposal Propose(Actor proposer, string tenant, RequestSpec spec, RiskAssessment assessment)
    {
        var matrix = matrixFor(tenant);
        var policy = matrix.For(assessment.Level);
        if (policy.Approvals == 0)
            throw new GovernanceException(GovernanceError.NoApprovalNeeded, $"a {Name(assessment.Level)} request is created at once, without a proposal");
        var eligible = matrix.People.Where(p => p.Id != proposer.Person && p.Roles.Any(policy.VotingRoles.Contains)).ToList();
        var rules = new QuorumRules(policy.Approvals ?? eligible.Count, policy.VotingRoles, policy.RequiredRoles, policy.DenyThreshold,
            EarlyRejection: assessment.Level >= RiskLevel.High, policy.UseWindow, eligible);
        // A vote nobody can win is refused up front rather than left to expire.
        var unheld = rules.RequiredRoles.Where(role => !eligible.Any(p => p.Roles.Contains(role))).ToList();
        if (eligible.Count < rules.Required || rules.Required == 0 || unheld.Count > 0)
            throw new GovernanceException(GovernanceError.CannotPass,
                $"a {Name(assessment.Level)} request needs {rules.Required} approval(s) from {string.Join(", ", policy.VotingRoles)}"
                + (rules.RequiredRoles.Count > 0 ? $" including {string.Join(", ", rules.RequiredRoles)}" : "")
                + $"; tenant {tenant} has {eligible.Count} eligible reviewer(s) besides the proposer"
                + (unheld.Count > 0 ? $" and none holding {string.Join(", ", unheld)}" : ""));
        var now = clock.GetUtcNow();
        var proposal = new Proposal("p-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), tenant, assessment.Level, spec,
            SpecEncoding.Hash(spec), assessment.Findings, proposer.Principal, proposer.Person, rules, now, now + policy.Validity,
            ProposalStatus.Pending, DecisionReason.None, null, null, null, []);
        var (stored, events) = store.InTransaction(session =>
        {
            session.Insert(proposal);
            var after = session.Find(proposal.Id)!;
            return (after, new List<GovernanceEvent> { new(GovernanceEventKind.ProposalSubmitted, after, null) });
        });
        Publish(events);
        return stored;
    }

    /// <summary>Records one vote and decides the proposal if it now passes, is denied, or (HIGH
    /// and CRITICAL) can no longer pass. Refusals are <see cref="GovernanceException"/>s.</summary>
    public Proposal Vote(Actor voter, string proposalId, bool approve, string reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
            throw new GovernanceException(GovernanceError.ReasonRequired, "reason: a vote carries a reason");
        var now = clock.GetUtcNow();
        var events = new List<GovernanceEvent>();
        try
        {
            var result = store.InTransaction(session =>
            {
                ExpireDue(session, now, events);
                var proposal = Visible(session, voter, proposalId);
                RequirePending(proposal);
                if (voter.Person == proposal.ProposerPerson)
                    throw new GovernanceException(GovernanceError.SelfVote,
                        $"{voter.Principal}: {voter.Person} proposed {proposal.Id} and cannot vote on it");
                if (!voter.Roles.Any(proposal.Rules.VotingRoles.Contains))
                    throw new GovernanceException(GovernanceError.NotEligible,
                        $"{voter.Principal}: a {Name(proposal.Level)} proposal takes votes from {string.Join(", ", proposal.Rules.VotingRoles)}; you hold {string.Join(", ", voter.Roles)}");
                if (proposal.Votes.FirstOrDefault(v => v.Person == voter.Person || v.Principal == voter.Principal) is { } earlier)
                    throw new GovernanceException(GovernanceError.AlreadyVoted,
                        $"{voter.Principal}: {earlier.Person} already voted on {proposal.Id} (as {earlier.Principal})");
                var vote = new Vote(voter.Principal, voter.Person, voter.Roles.Where(proposal.Rules.VotingRoles.Contains).ToList(), approve, reason, now);
                session.Insert(proposal.Id, vote);
                var (status, why) = Quorum.Evaluate(proposal.Rules, [.. proposal.Votes, vote]);
                if (status != ProposalStatus.Pending)
                    session.Decide(proposal.Id, status, why, now, status == ProposalStatus.Approved ? now + proposal.Rules.UseWindow : null);
                var after = session.Find(proposal.Id)!;
                events.Add(new GovernanceEvent(GovernanceEventKind.VoteCast, after, vote));
                if (status != ProposalStatus.Pending)
                    events.Add(new GovernanceEvent(GovernanceEventKind.ProposalDecided, after, null));
                return after;
            });
            Publish(events);
            return result;
        }
        catch (GovernanceException) when (events.Count > 0)
        {
            // The refusal rolled the transaction back, expiries with it: record them on their own.
            ExpireDue();
            throw;
        }
    }

    /// <summary>Marks an approved proposal used for <paramref name="spec"/>: the same spec (by
    /// hash), once, within its window. The daemon calls it just before it creates the sandbox.</summary>
    public Proposal Use(Actor caller, string proposalId, RequestSpec spec)
    {
        var now = clock.GetUtcNow();
        var hash = SpecEncoding.Hash(spec);
        var used = store.InTransaction(session =>
        {
            var proposal = Visible(session, caller, proposalId);
            switch (proposal.Status)
            {
                case ProposalStatus.Used:
                    throw new GovernanceException(GovernanceError.AlreadyUsed, $"{proposal.Id}: its approval was used at {proposal.UsedAt:O}");
                case ProposalStatus.Pending when proposal.ExpiresAt > now:
                    throw new GovernanceException(GovernanceError.NotApproved, $"{proposal.Id}: still pending ({proposal.Votes.Count(v => v.Approve)} of {proposal.Rules.Required} approvals)");
                case ProposalStatus.Pending or ProposalStatus.Expired:
                    throw new GovernanceException(GovernanceError.Expired, $"{proposal.Id}: expired at {proposal.ExpiresAt:O}");
                case ProposalStatus.Rejected:
                    throw new GovernanceException(GovernanceError.NotApproved, $"{proposal.Id}: rejected ({proposal.Reason})");
            }

            if (proposal.SpecHash != hash)
                throw new GovernanceException(GovernanceError.SpecMismatch,
                    $"{proposal.Id}: the request differs from the one approved (sha256 {hash[..12]}… is not {proposal.SpecHash[..12]}…)");
            if (now > proposal.UseUntil)
                throw new GovernanceException(GovernanceError.ApprovalLapsed, $"{proposal.Id}: its approval could be used until {proposal.UseUntil:O}");
            session.MarkUsed(proposal.Id, now);
            return session.Find(proposal.Id)!;
        });
        Publish([new GovernanceEvent(GovernanceEventKind.ApprovalUsed, used, null)]);
        return used;
    }

    /// <summary>NOT_FOUND for another tenant's proposal, as for one that does not exist.</summary>
    public Proposal? Get(Actor caller, string proposalId)
    {
        ExpireDue();
        var proposal = store.Read(session => session.Find(proposalId));
        return proposal is not null && caller.Sees(proposal.Tenant) ? proposal : null;
    }

    /// <summary>The caller's tenant's proposals (an admin's: all), oldest first, every status unless one is asked for.</summary>
    public IReadOnlyList<Proposal> List(Actor caller, ProposalStatus? status = null)
    {
        ExpireDue();
        return store.Read(session => session.List(caller.Tenant, status));
    }

    /// <summary>Expires every pending proposal past its validity; returns how many.</summary>
    public int ExpireDue()
    {
        var events = new List<GovernanceEvent>();
        store.InTransaction(session => ExpireDue(session, clock.GetUtcNow(), events));
        Publish(events);
        return events.Count;
    }

    /// <summary>The pending proposals <paramref name="reviewer"/> may vote on (as ProposalSubmitted),
    /// then every later step of any proposal they are a reviewer of, until cancelled.</summary>
    public async IAsyncEnumerable<GovernanceEvent> WatchAsync(Actor reviewer, [EnumeratorCancellation] CancellationToken cancel)
    {
        var channel = Channel.CreateUnbounded<GovernanceEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_watchersLock)
            _watchers.Add(channel);
        try
        {
            // Subscribed first, so nothing between the snapshot and the stream is lost (a step may arrive twice).
            foreach (var proposal in List(reviewer, ProposalStatus.Pending).Where(p => p.IsReviewer(reviewer)))
                yield return new GovernanceEvent(GovernanceEventKind.ProposalSubmitted, proposal, null);
            await foreach (var change in channel.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
                if (change.Proposal.IsReviewer(reviewer))
                    yield return change;
        }
        finally
        {
            lock (_watchersLock)
                _watchers.Remove(channel);
        }
    }

    private static int ExpireDue(ProposalStore.Session session, DateTimeOffset now, List<GovernanceEvent> events)
    {
        var due = session.PendingDue(now);
        foreach (var id in due)
        {
            session.Decide(id, ProposalStatus.Expired, DecisionReason.Expired, now, null);
            events.Add(new GovernanceEvent(GovernanceEventKind.ProposalDecided, session.Find(id)!, null));
        }

        return due.Count;
    }

    private static Proposal Visible(ProposalStore.Session session, Actor caller, string proposalId) =>
        session.Find(proposalId) is { } p && caller.Sees(p.Tenant)
            ? p
            : throw new GovernanceException(GovernanceError.ProposalNotFound, $"proposal_id: no proposal '{proposalId}'");

    private static void RequirePending(Proposal proposal)
    {
        if (proposal.Status == ProposalStatus.Expired)
            throw new GovernanceException(GovernanceError.Expired, $"{proposal.Id}: expired at {proposal.ExpiresAt:O}");
        if (proposal.Status != ProposalStatus.Pending)
            throw new GovernanceException(GovernanceError.NotPending, $"{proposal.Id}: already {proposal.Status.ToString().ToLowerInvariant()} ({proposal.Reason})");
    }

    private void Publish(List<GovernanceEvent> events)
    {
        Channel<GovernanceEvent>[] watchers;
        lock (_watchersLock)
            watchers = [.. _watchers];
        foreach (var change in events)
        {
            sink.Publish(change);
            foreach (var watcher in watchers)
                watcher.Writer.TryWrite(change);
        }
    }

    private static string Name(RiskLevel level) => level.ToString().ToUpperInvariant();
}
