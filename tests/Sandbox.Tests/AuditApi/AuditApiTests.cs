using Sandboxd.Api.V1;
using AuditKind = Sandboxd.Audit.Events.AuditKind;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.AuditApi;

/// <summary>The Audit service of a real daemon: what the orchestrator recorded for a sandbox's
/// life is found by each filter, carries the caller's correlation, is live on a tail, and stays
/// within its tenant.</summary>
public sealed class AuditApiTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static readonly string[] TierNames = ["hot", "warm", "cold"];

    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task Create_exec_destroy_is_found_by_sandbox_execution_kind_and_text_with_the_tier_that_answered()
    {
        using var sandboxes = AuditApiClients.Sandboxes(Daemon, traceId: "trace-42");
        using var audit = AuditApiClients.Audit(Daemon);
        var id = (await sandboxes.CreateAsync(new CreateRequest())).Id;
        var run = await sandboxes.RunAsync(id, ["/bin/sh", "-c", "true >/dev/null && exit 3"]);
        await sandboxes.DestroyAsync(id);

        var bySandbox = await audit.QueryAsync(new AuditQueryRequest { SandboxId = id });
        Assert.Equal(
            // SyscallExec: the default profile audits execve (the command's own /bin/sh here);
            // SandboxStateChanged: creating → running, running → destroying → destroyed.
            [AuditKind.SandboxDestroyed, AuditKind.SandboxStateChanged, AuditKind.SandboxStateChanged, AuditKind.ExecutionFinished,
                AuditKind.SyscallExec, AuditKind.ExecutionStarted, AuditKind.SandboxStateChanged, AuditKind.SandboxCreated],
            bySandbox.Events.Select(e => (AuditKind)e.Kind));
        Assert.NotEmpty(bySandbox.Tiers);
        Assert.All(bySandbox.Tiers, t => Assert.Contains(t, TierNames));
        Assert.All(bySandbox.Events, e => Assert.Equal(("default", "uid:0", "trace-42"), (e.Tenant, e.Principal, e.TraceId)));
        Assert.Equal("SandboxCreated", bySandbox.Events[^1].KindName);
        Assert.Equal("default", bySandbox.Events[^1].Attributes["profile"]);

        var byExecution = await audit.QueryAsync(new AuditQueryRequest { ExecutionId = run.Exit.ExecutionId });
        Assert.Equal([AuditKind.ExecutionFinished, AuditKind.SyscallExec, AuditKind.ExecutionStarted], byExecution.Events.Select(e => (AuditKind)e.Kind));
        var finished = byExecution.Events[0].Attributes;
        // Stored as written: no HTML escaping of > and & in the record.
        Assert.Equal(("3", "0", "[\"/bin/sh\",\"-c\",\"true >/dev/null && exit 3\"]"), (finished["exit"], finished["signal"], finished["argv"]));
        foreach (var key in new[] { "cwd", "user", "cpu_user_us", "cpu_system_us", "peak_memory_bytes", "duration_us" })
            Assert.True(finished.ContainsKey(key), key);

        var byKind = await audit.ForSandboxAsync(id, (int)AuditKind.ExecutionFinished);
        Assert.Equal(run.Exit.ExecutionId, Assert.Single(byKind).ExecutionId);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var byText = await audit.QueryAsync(new AuditQueryRequest { Text = "exit 3", FromUnixMs = now - 60_000, ToUnixMs = now + 60_000, SandboxId = id });
        Assert.Equal(2, byText.Events.Count);
    }

    [RootFact]
    public async Task Pages_of_one_event_add_up_to_the_whole_answer()
    {
        using var sandboxes = AuditApiClients.Sandboxes(Daemon);
        using var audit = AuditApiClients.Audit(Daemon);
        var id = (await sandboxes.CreateAsync(new CreateRequest())).Id;
        await sandboxes.RunAsync(id, ["/bin/true"]);
        await sandboxes.DestroyAsync(id);

        var all = await audit.ForSandboxAsync(id);
        var paged = new List<AuditEvent>();
        await foreach (var ev in audit.QueryAllAsync(new AuditQueryRequest { SandboxId = id, Limit = 1 }))
            paged.Add(ev);
        Assert.Equal(all.Select(e => e.Id), paged.Select(e => e.Id));
    }

    [RootFact]
    public async Task A_tail_receives_an_event_emitted_after_it_started()
    {
        using var sandboxes = AuditApiClients.Sandboxes(Daemon, tenant: "tailer");
        using var audit = AuditApiClients.Audit(Daemon, tenant: "tailer");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var request = new AuditTailRequest();
        request.Kinds.Add((int)AuditKind.SandboxCreated);
        var first = FirstAsync(audit.TailAsync(request, stop.Token));
        await audit.WaitForTailSubscriberAsync();

        var id = (await sandboxes.CreateAsync(new CreateRequest())).Id;
        try
        {
            var ev = await first.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal((id, "tailer"), (ev.SandboxId, ev.Tenant));
        }
        finally
        {
            await stop.CancelAsync();
            await sandboxes.DestroyAsync(id);
        }
    }

    [RootFact]
    public async Task A_tenant_sees_only_its_own_events_and_the_operator_sees_every_tenant()
    {
        using var alpha = AuditApiClients.Sandboxes(Daemon, tenant: "alpha");
        var id = (await alpha.CreateAsync(new CreateRequest())).Id;
        await alpha.RunAsync(id, ["/bin/true"]);
        await alpha.DestroyAsync(id);

        using var alphaAudit = AuditApiClients.Audit(Daemon, "alpha");
        using var betaAudit = AuditApiClients.Audit(Daemon, "beta");
        using var operatorAudit = AuditApiClients.Audit(Daemon);
        // Created, started, the audited execve (it carries the caller's tenant too), finished, destroyed,
        // and the three state changes (running, destroying, destroyed).
        Assert.Equal(8, (await alphaAudit.ForSandboxAsync(id)).Count);
        Assert.Empty(await betaAudit.ForSandboxAsync(id));
        Assert.Empty((await betaAudit.QueryAsync(new AuditQueryRequest { Tenant = "alpha" })).Events);
        // Nor the daemon's own, untenanted events: those are the operator's.
        var betaAll = await betaAudit.QueryAsync(new AuditQueryRequest { Limit = 10_000 });
        Assert.All(betaAll.Events, e => Assert.Equal("beta", e.Tenant));
        var asOperator = await operatorAudit.QueryAsync(new AuditQueryRequest { Tenant = "alpha", SandboxId = id });
        Assert.Equal(8, asOperator.Events.Count);
        var daemonEvents = await operatorAudit.QueryAsync(new AuditQueryRequest { Kinds = { (int)AuditKind.DaemonStarted } });
        Assert.NotEmpty(daemonEvents.Events);
        // The start's settings are on record, its secrets are not.
        var config = (await operatorAudit.QueryAsync(new AuditQueryRequest { Kinds = { (int)AuditKind.DaemonConfigLoaded } })).Events;
        var settings = Assert.Single(config).Attributes;
        Assert.Equal(Daemon.Socket, settings["socket"]);
        Assert.Equal("unset", settings["tcp_token"]);
    }

    [RootFact]
    public async Task Verify_is_ok_and_stats_count_what_was_emitted()
    {
        using var audit = AuditApiClients.Audit(Daemon);
        var verdict = await audit.VerifyAsync();
        Assert.True(verdict.Ok, verdict.Reason);
        var stats = await audit.StatsAsync();
        Assert.True(stats.Emitted >= 1);
        Assert.Equal(0, stats.Spilled);
    }

    private static async Task<AuditEvent> FirstAsync(IAsyncEnumerable<AuditEvent> events)
    {
        await foreach (var ev in events)
            return ev;
        throw new InvalidOperationException("the tail ended without an event");
    }
}
