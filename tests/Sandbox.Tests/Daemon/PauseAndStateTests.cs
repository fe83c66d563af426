using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.AuditApi;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>Pause and unpause through the real daemon (cgroup freezer), the states and causes Get
/// shows, the SandboxStateChanged audit trail, and destroy from the error state.</summary>
public sealed class PauseAndStateTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const int SandboxStateChanged = 16;

    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task A_paused_sandbox_uses_no_CPU_refuses_execute_and_runs_on_after_unpause()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        using var stop = new CancellationTokenSource();
        var busy = Task.Run(async () =>
        {
            var request = new ExecuteRequest { SandboxId = sandbox.Id, Argv = { "/bin/sh", "-c", "while :; do :; done" } };
            try
            {
                await foreach (var _ in Daemon.Client.ExecuteAsync(request, TimeSpan.FromSeconds(120), stop.Token))
                {
                }
            }
            catch (RpcException)
            {
                // Cancelled at the end of the test, or ended by the destroy.
            }
        });
        try
        {
            var before = await CpuAsync(sandbox.Id);
            var running = await WaitForCpuAboveAsync(sandbox.Id, before);

            var paused = await Daemon.Client.PauseAsync(sandbox.Id);
            Assert.Equal(SandboxState.Paused, paused.State);
            Assert.Equal("paused", paused.StateCause);
            Assert.True(paused.StateChangedUnixMs >= sandbox.CreatedUnixMs);
            Assert.Equal(SandboxState.Paused, (await Daemon.Client.PauseAsync(sandbox.Id)).State); // idempotent

            var frozenAt = await CpuAsync(sandbox.Id);
            Assert.True(frozenAt >= running);
            await Task.Delay(500); // an interval of wall time in which a thawed busy loop would burn ~0.5 s of CPU
            var got = await Daemon.Client.GetAsync(sandbox.Id);
            Assert.Equal(frozenAt, got.Usage.CpuUsageNs);
            Assert.True(got.Usage.MemoryCurrentBytes > 0, "a paused sandbox keeps its memory");
            Assert.False(busy.IsCompleted, "the busy command is frozen, not killed");

            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await foreach (var _ in Daemon.Client.ExecuteAsync(new ExecuteRequest { SandboxId = sandbox.Id, Argv = { "/bin/true" } }))
                {
                }
            });
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("is paused", refused.Status.Detail, StringComparison.Ordinal);

            var thawed = await Daemon.Client.UnpauseAsync(sandbox.Id);
            Assert.Equal(SandboxState.Running, thawed.State);
            Assert.Equal("unpaused", thawed.StateCause);
            await WaitForCpuAboveAsync(sandbox.Id, frozenAt);
            Assert.False(busy.IsCompleted);
        }
        finally
        {
            await stop.CancelAsync();
            await busy;
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }

        using var audit = AuditApiClients.Audit(Daemon);
        var request = new AuditQueryRequest { SandboxId = sandbox.Id, Limit = 100 };
        request.Kinds.Add(SandboxStateChanged);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<string> transitions;
        do
        {
            transitions = [];
            await foreach (var e in audit.QueryAllAsync(request))
                transitions.Add($"{e.Attributes["from"]}>{e.Attributes["to"]}:{e.Attributes["cause"]}");
        } while (transitions.Count < 5 && DateTime.UtcNow < deadline && await Delay());
        transitions.Reverse(); // the query answers newest first
        Assert.Equal(
            ["creating>running:created", "running>paused:paused", "paused>running:unpaused", "running>destroying:destroy requested",
                "destroying>destroyed:destroyed"],
            transitions);
    }

    [RootFact]
    public async Task A_paused_sandbox_is_destroyed_with_every_process()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        await Daemon.Client.PauseAsync(sandbox.Id);
        Assert.True((await Daemon.Client.DestroyAsync(sandbox.Id)).Existed);
        var gone = await Daemon.Client.GetAsync(sandbox.Id);
        Assert.Equal(SandboxState.Destroyed, gone.State);
        Assert.False(Directory.Exists($"/proc/{sandbox.InitPid}") && File.ReadAllText($"/proc/{sandbox.InitPid}/stat").Contains("sbx-init", StringComparison.Ordinal));

        var late = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.PauseAsync(sandbox.Id));
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("is destroyed", late.Status.Detail, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Daemon.Client.UnpauseAsync("sbx-000000000000"));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [RootFact]
    public async Task Destroy_works_from_the_error_state()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        Assert.Equal(0, Posix.Kill(sandbox.InitPid, Posix.SIGKILL)); // the test's own sandbox's init
        var deadline = DateTime.UtcNow.AddSeconds(20);
        Sandbox failed;
        while ((failed = await Daemon.Client.GetAsync(sandbox.Id)).State != SandboxState.Failed && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.Equal(SandboxState.Failed, failed.State);
        Assert.Equal("init exited", failed.StateCause);

        Assert.True((await Daemon.Client.DestroyAsync(sandbox.Id)).Existed);
        var destroyed = await Daemon.Client.GetAsync(sandbox.Id);
        Assert.Equal(SandboxState.Destroyed, destroyed.State);
        Assert.Equal("destroyed", destroyed.StateCause);
        Assert.False((await Daemon.Client.DestroyAsync(sandbox.Id)).Existed);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }

    private async Task<long> CpuAsync(string id) => (await Daemon.Client.GetAsync(id)).Usage.CpuUsageNs;

    /// <summary>Polls until the sandbox's cgroup CPU usage passes <paramref name="floor"/>.</summary>
    private async Task<long> WaitForCpuAboveAsync(string id, long floor)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long cpu;
        while ((cpu = await CpuAsync(id)) <= floor + 20_000_000 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(cpu > floor + 20_000_000, $"CPU usage stayed at {cpu} ns (floor {floor})");
        return cpu;
    }
}
