using Grpc.Core;
using Microsoft.Data.Sqlite;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.GovernanceDaemon;

/// <summary>Approval of risky creates through a real daemon: its config's approval matrix, its
/// governance.db, real sandboxes made by the deciding vote.</summary>
public sealed class ApprovalDaemonTests
{
    private static readonly string[] Racers = ["arch", "sec"];

    [RootFact]
    public async Task Low_is_created_at_once_and_medium_waits_for_one_approval_that_creates_it()
    {
        using var world = new DaemonGovernanceWorld();
        var low = await world.CreateAs("alice", "low");
        Assert.Equal(SandboxState.Running, low.State);
        Assert.Equal("LOW", low.Risk);
        Assert.Equal("", low.ProposalId);
        Assert.Equal("low\n", (await world.As("alice").RunAsync(low.Id, ["/bin/echo", "low"])).Stdout);
        await world.As("alice").DestroyAsync(low.Id);

        var pending = await world.CreateAs("alice", "mid");
        Assert.Equal(SandboxState.PendingApproval, pending.State);
        Assert.Equal("MEDIUM", pending.Risk);
        Assert.StartsWith("p-", pending.ProposalId);
        Assert.Empty(await world.AllSandboxes());
        var proposal = await world.Get("alice", pending.ProposalId);
        Assert.Equal(ProposalStatus.Pending, proposal.Status);
        Assert.Equal(["arch", "sec"], proposal.Eligible.Order());
        Assert.Equal("alice", proposal.Proposer);

        // Another tenant cannot see it, nor vote on it, even holding a voting role.
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => world.Get("bob", pending.ProposalId))).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => world.Vote("bob", pending.ProposalId, true))).StatusCode);

        var decided = await world.Vote("arch", pending.ProposalId, true, "fine for a test");
        Assert.Equal(ProposalStatus.Used, decided.Status);
        Assert.Equal("quorum", decided.Decision);
        Assert.StartsWith("sbx-", decided.SandboxId);
        var sandbox = await world.As("alice").GetAsync(decided.SandboxId);
        Assert.Equal(SandboxState.Running, sandbox.State);
        Assert.Equal(pending.ProposalId, sandbox.ProposalId);
        Assert.Equal("MEDIUM", sandbox.Risk);
        Assert.Equal("approved\n", (await world.As("alice").RunAsync(sandbox.Id, ["/bin/echo", "approved"])).Stdout);
        Assert.Single(await world.AllSandboxes());

        // The audit record has every step, in the proposer's tenant only.
        var audit = await world.Ctl(DaemonGovernanceWorld.AliceUid, "audit", "query", "--text", pending.ProposalId, "--json");
        Assert.True(audit.Code == 0, audit.Stderr);
        foreach (var kind in new[] { "GovernanceProposed", "GovernanceVoted", "GovernanceApproved", "GovernanceApprovalUsed", "SandboxCreated" })
            Assert.Contains(kind, audit.Stdout);
        Assert.Contains("fine for a test", audit.Stdout);
        var bobs = await world.Ctl(DaemonGovernanceWorld.BobUid, "audit", "query", "--text", pending.ProposalId, "--json");
        Assert.True(bobs.Code == 0, bobs.Stderr);
        Assert.DoesNotContain("Governance", bobs.Stdout);

        // python3-grpcio, as root on the Unix socket (the admin sees every tenant's proposals).
        var listed = await PythonGrpcClient.RunAsync(world.Daemon.Socket, "list_proposals");
        var mine = listed.GetProperty("proposals").EnumerateArray().Single(p => p.GetProperty("id").GetString() == pending.ProposalId);
        Assert.Equal("PROPOSAL_STATUS_USED", mine.GetProperty("status").GetString());
        Assert.Equal("team-a", mine.GetProperty("tenant").GetString());
        Assert.Equal(decided.SandboxId, mine.GetProperty("sandbox_id").GetString());
        var vote = Assert.Single(mine.GetProperty("votes").EnumerateArray());
        Assert.Equal("arch", vote.GetProperty("principal").GetString());
        Assert.Equal("fine for a test", vote.GetProperty("reason").GetString());
    }

    [RootFact]
    public async Task High_needs_its_required_role_and_votes_only_from_eligible_others_once_each()
    {
        using var world = new DaemonGovernanceWorld();
        // A reviewer's watch hears of the proposal without polling.
        using var watchCancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var sec = world.As("sec");
        using var watch = sec.Governance.WatchProposals(new WatchProposalsRequest(), sec.Connection.Options(null, watchCancel.Token));
        var first = watch.ResponseStream.MoveNext(watchCancel.Token);

        var pending = await world.CreateAs("alice", "top");
        Assert.Equal("HIGH", pending.Risk);
        Assert.True(await first);
        Assert.Equal(ProposalEventKind.Submitted, watch.ResponseStream.Current.Kind);
        Assert.Equal(pending.ProposalId, watch.ResponseStream.Current.Proposal.Id);
        var id = pending.ProposalId;

        var self = await Assert.ThrowsAsync<RpcException>(() => world.Vote("alice", id, true));
        Assert.Equal(StatusCode.PermissionDenied, self.StatusCode);
        Assert.Contains("alice proposed", self.Status.Detail);
        // The same person through a second principal that holds a voting role.
        var alias = await Assert.ThrowsAsync<RpcException>(() => world.Vote("alice2", id, true));
        Assert.Equal(StatusCode.PermissionDenied, alias.StatusCode);
        Assert.Contains("alice2: alice proposed", alias.Status.Detail);
        var engineer = await Assert.ThrowsAsync<RpcException>(() => world.Vote("eng", id, true));
        Assert.Equal(StatusCode.PermissionDenied, engineer.StatusCode);
        Assert.Contains("takes votes from Architect, Security, QA; you hold Engineer", engineer.Status.Detail);

        Assert.Equal(ProposalStatus.Pending, (await world.Vote("arch", id, true)).Status);
        var twice = await Assert.ThrowsAsync<RpcException>(() => world.Vote("arch", id, true, "again"));
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);
        Assert.Contains("already voted", twice.Status.Detail);

        // Two approvals are the count, but none is from Security: not yet.
        var two = await world.Vote("qa", id, true);
        Assert.Equal(ProposalStatus.Pending, two.Status);
        Assert.Equal(2, two.Votes.Count);
        Assert.Empty(await world.AllSandboxes());

        var decided = await world.Vote("sec", id, true, "security ok");
        Assert.Equal(ProposalStatus.Used, decided.Status);
        Assert.Equal("ran\n", (await world.As("alice").RunAsync(decided.SandboxId, ["/bin/echo", "ran"])).Stdout);
        Assert.Single(await world.AllSandboxes());
        await watchCancel.CancelAsync();
    }

    [RootFact]
    public async Task The_deny_threshold_rejects_and_the_create_never_happens()
    {
        using var world = new DaemonGovernanceWorld();
        var id = (await world.CreateAs("alice", "top")).ProposalId;
        Assert.Equal(ProposalStatus.Pending, (await world.Vote("qa", id, false, "no reason to run it")).Status);
        var rejected = await world.Vote("arch", id, false, "too broad");
        Assert.Equal(ProposalStatus.Rejected, rejected.Status);
        Assert.Equal("deny threshold", rejected.Decision);
        Assert.Equal("", rejected.SandboxId);

        var late = await Assert.ThrowsAsync<RpcException>(() => world.Vote("sec", id, true));
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("already rejected", late.Status.Detail);
        Assert.Empty(await world.AllSandboxes());
        // History stays: both votes with their reasons.
        var kept = await world.Get("alice", id);
        Assert.Equal(["no reason to run it", "too broad"], kept.Votes.Select(v => v.Reason));
    }

    [RootFact]
    public async Task A_proposal_expires_on_the_daemons_clock_and_is_never_created()
    {
        using var world = new DaemonGovernanceWorld();
        // The profile's TTL (the built-ins': 1 h) is the sandbox's deadline.
        var low = await world.CreateAs("alice", "low");
        Assert.InRange(low.DeadlineUnixMs - low.CreatedUnixMs, 3_600_000 - 5_000, 3_600_000);
        await world.As("alice").DestroyAsync(low.Id);

        var id = (await world.CreateAs("alice", "mid")).ProposalId;
        world.Clock.Advance(TimeSpan.FromMinutes(61));
        var expired = await world.Get("alice", id);
        Assert.Equal(ProposalStatus.Expired, expired.Status);
        Assert.Equal("expired", expired.Decision);
        var late = await Assert.ThrowsAsync<RpcException>(() => world.Vote("arch", id, true));
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("expired", late.Status.Detail);
        Assert.Empty(await world.AllSandboxes());
        Assert.Equal(id, Assert.Single(await world.List("alice", ProposalStatus.Expired)).Id);
    }

    [RootFact]
    public async Task Two_approvers_voting_at_once_create_exactly_one_sandbox()
    {
        using var world = new DaemonGovernanceWorld();
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
            ids.Add((await world.CreateAs("alice", "mid")).ProposalId);
        foreach (var id in ids)
        {
            var votes = Racers.Select(async name =>
            {
                try
                {
                    return (Proposal: await world.Vote(name, id, true), Error: (RpcException?)null);
                }
                catch (RpcException e)
                {
                    return (Proposal: (Proposal?)null, Error: e);
                }
            }).ToList();
            var outcomes = await Task.WhenAll(votes);
            var won = Assert.Single(outcomes, o => o.Proposal is not null);
            var lost = Assert.Single(outcomes, o => o.Error is not null);
            Assert.Equal(ProposalStatus.Used, won.Proposal!.Status);
            Assert.Equal(StatusCode.FailedPrecondition, lost.Error!.StatusCode);
            Assert.Contains("already", lost.Error.Status.Detail);
        }
        var sandboxes = await world.AllSandboxes();
        Assert.Equal(3, sandboxes.Count);
        Assert.Equal(ids.Order(), sandboxes.Select(s => s.ProposalId).Order());
    }

    [RootFact]
    public async Task A_pending_proposal_survives_a_restart_and_its_approval_is_used_once()
    {
        using var world = new DaemonGovernanceWorld();
        var id = (await world.CreateAs("alice", "mid")).ProposalId;
        world.Restart();
        Assert.Equal(ProposalStatus.Pending, (await world.Get("alice", id)).Status);
        var decided = await world.Vote("arch", id, true, "after the restart");
        Assert.Equal(ProposalStatus.Used, decided.Status);
        Assert.Equal("up\n", (await world.As("alice").RunAsync(decided.SandboxId, ["/bin/echo", "up"])).Stdout);

        // The daemon's stop destroys the sandbox; the next start must not make another from the used approval.
        world.Restart();
        Assert.Empty(await world.AllSandboxes());
        var after = await world.Get("alice", id);
        Assert.Equal(ProposalStatus.Used, after.Status);
        Assert.Equal(decided.SandboxId, after.SandboxId);
    }

    /// <summary>What is approved is the stored spec with its hash: a spec changed on disk after
    /// the proposal (its hash left as it was) is refused at its use, and nothing is created.</summary>
    [RootFact]
    public async Task An_approval_cannot_be_used_for_a_spec_other_than_the_one_proposed()
    {
        using var world = new DaemonGovernanceWorld();
        var proposed = await world.Get("alice", (await world.CreateAs("alice", "mid")).ProposalId);
        Assert.Equal(256L << 20, (long)proposed.Spec.MemoryBytes);
        world.StopDaemon();
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = world.GovernanceDb, Pooling = false }.ToString()))
        {
            db.Open();
            using var update = db.CreateCommand();
            update.CommandText = "UPDATE proposals SET spec = replace(spec, $from, $to) WHERE id = $id";
            update.Parameters.AddWithValue("$from", (256L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
            update.Parameters.AddWithValue("$to", (1024L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
            update.Parameters.AddWithValue("$id", proposed.Id);
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        world.StartDaemon();
        var decided = await world.Vote("arch", proposed.Id, true);
        Assert.Equal(ProposalStatus.Approved, decided.Status);
        Assert.Equal("", decided.SandboxId);
        Assert.Contains("the request differs from the one approved", decided.CreateError);
        Assert.Empty(await world.AllSandboxes());
        // Not tried again at the next start either.
        world.Restart();
        Assert.Empty(await world.AllSandboxes());
        Assert.Equal(ProposalStatus.Approved, (await world.Get("alice", proposed.Id)).Status);
    }

    [RootFact]
    public async Task Bad_governance_input_is_a_status_naming_the_field()
    {
        using var world = new DaemonGovernanceWorld();
        var alice = world.As("alice");
        var unknown = await Assert.ThrowsAsync<RpcException>(() => world.CreateAs("alice", "nosuch"));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("profile: no profile 'nosuch' (known: critical, high, low, medium, mid, top)", unknown.Status.Detail);

        var missing = await Assert.ThrowsAsync<RpcException>(() => world.Get("alice", "p-0000000000000000"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no proposal 'p-0000000000000000'", missing.Status.Detail);
        var noId = await Assert.ThrowsAsync<RpcException>(() => world.Get("alice", ""));
        Assert.Equal(StatusCode.InvalidArgument, noId.StatusCode);
        Assert.StartsWith("id:", noId.Status.Detail);

        var id = (await world.CreateAs("alice", "mid")).ProposalId;
        var noProposal = await Assert.ThrowsAsync<RpcException>(() => world.Vote("arch", "", true));
        Assert.Equal(StatusCode.InvalidArgument, noProposal.StatusCode);
        Assert.StartsWith("proposal_id:", noProposal.Status.Detail);
        var unknownVote = await Assert.ThrowsAsync<RpcException>(() => world.Vote("arch", "p-nope", true));
        Assert.Equal(StatusCode.NotFound, unknownVote.StatusCode);
        Assert.StartsWith("proposal_id: no proposal 'p-nope'", unknownVote.Status.Detail);
        var noReason = await Assert.ThrowsAsync<RpcException>(() => world.Vote("arch", id, true, " "));
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);
        Assert.StartsWith("reason:", noReason.Status.Detail);
        Assert.Equal(ProposalStatus.Pending, (await world.Get("alice", id)).Status);

        var badIsolation = await Assert.ThrowsAsync<RpcException>(() => alice.Governance.AssessAsync(
            new AssessRequest { Profile = "low", Overrides = new SpecOverrides { Isolation = "bogus" } }, alice.Connection.Options()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badIsolation.StatusCode);
        Assert.StartsWith("overrides.isolation: 'bogus' is not one of", badIsolation.Status.Detail);
        var badProfile = await Assert.ThrowsAsync<RpcException>(() => alice.Governance.ShowProfileAsync(new ShowProfileRequest { Name = "nosuch" }, alice.Connection.Options()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badProfile.StatusCode);
        Assert.StartsWith("name: no profile 'nosuch'", badProfile.Status.Detail);
    }
}
