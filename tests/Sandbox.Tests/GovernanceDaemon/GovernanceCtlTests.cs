using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.GovernanceDaemon;

/// <summary>sandboxctl's profile and governance commands, as real uids over the Unix socket.</summary>
public sealed class GovernanceCtlTests
{
    [RootFact]
    public async Task Profile_assess_prints_the_level_every_finding_and_the_rule_that_applies()
    {
        using var world = new DaemonGovernanceWorld();
        var high = await world.Ctl(DaemonGovernanceWorld.AliceUid, "profile", "assess", "--profile", "top");
        Assert.True(high.Code == 0, high.Stderr);
        Assert.Contains("level      HIGH", high.Stdout);
        Assert.Matches(@"\n  HIGH\s+profile-floor\s+profile 'top' is declared HIGH\n", high.Stdout);
        Assert.Contains("approval   needed: 2 approval(s) from Architect, Security, QA including Security; 2 rejection(s) reject", high.Stdout);

        var low = await world.Ctl(DaemonGovernanceWorld.AliceUid, "profile", "assess", "--profile", "low");
        Assert.Contains("level      LOW", low.Stdout);
        Assert.Contains("approval   none: a create is made at once", low.Stdout);
        // An override is assessed too: egress to one domain on the LOW profile is MEDIUM.
        var egress = await world.Ctl(DaemonGovernanceWorld.AliceUid, "profile", "assess", "--profile", "low", "--egress", "--allow-domain", "example.com");
        Assert.Contains("level      MEDIUM", egress.Stdout);
        Assert.Contains("egress allowed through the proxy to 1 domain(s)", egress.Stdout);
    }

    [RootFact]
    public async Task Create_no_wait_then_governance_list_and_approve_make_the_sandbox()
    {
        using var world = new DaemonGovernanceWorld();
        var created = await world.Ctl(DaemonGovernanceWorld.AliceUid, "create", "--profile", "mid", "--no-wait");
        Assert.True(created.Code == 0, created.Stderr);
        var id = created.Stdout.Trim();
        Assert.StartsWith("p-", id);

        var list = await world.Ctl(DaemonGovernanceWorld.ArchUid, "governance", "list");
        Assert.True(list.Code == 0, list.Stderr);
        var row = Assert.Single(list.Stdout.Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Matches(@"^p-\S+\s+pending\s+MEDIUM\s+team-a\s+alice\s+0/1 yes, 0 no", row);

        var approved = await world.Ctl(DaemonGovernanceWorld.ArchUid, "governance", "approve", id, "--reason", "ok by me");
        Assert.True(approved.Code == 0, approved.Stderr);
        Assert.Matches($@"^{id}: used \(quorum\), 1/1 yes, 0 no; sandbox sbx-[0-9a-f]+ created", approved.Stdout);
        var sandboxId = System.Text.RegularExpressions.Regex.Match(approved.Stdout, "sbx-[0-9a-f]+").Value;
        var exec = await world.Ctl(DaemonGovernanceWorld.AliceUid, "exec", sandboxId, "--", "/bin/echo", "via ctl");
        Assert.Equal("via ctl\n", exec.Stdout);

        var shown = await world.Ctl(DaemonGovernanceWorld.AliceUid, "governance", "show", id);
        Assert.Contains("arch (arch; Architect) approved: ok by me", shown.Stdout);
        Assert.Contains("sandbox    " + sandboxId, shown.Stdout);
    }

    [RootFact]
    public async Task Create_waits_for_the_approval_and_prints_the_sandbox_it_made()
    {
        using var world = new DaemonGovernanceWorld();
        var waiting = world.Ctl(DaemonGovernanceWorld.AliceUid, "create", "--profile", "mid");
        var pending = await world.PendingOf(waiting);
        // Still waiting: what it printed so far is nothing, and it has not returned.
        Assert.False(waiting.IsCompleted);
        var decided = await world.Vote("sec", pending.Id, true, "go");
        var result = await waiting;
        Assert.True(result.Code == 0, result.Stderr);
        Assert.Equal(decided.SandboxId, result.Stdout.Trim());

        // A rejected one: create says so and fails.
        var refused = world.Ctl(DaemonGovernanceWorld.AliceUid, "create", "--profile", "mid");
        var second = await world.PendingOf(refused);
        await world.Vote("arch", second.Id, false, "not today");
        var no = await refused;
        Assert.Equal(1, no.Code);
        Assert.Contains($"proposal {second.Id} rejected (deny threshold)", no.Stderr);
    }
}
