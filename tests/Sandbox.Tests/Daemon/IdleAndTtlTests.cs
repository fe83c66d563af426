using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.State;
using Sandboxd.Tests.Files;
using Sandboxd.Tests.Support;
using Xunit;
using FilesClient = Sandboxd.Api.V1.Files.FilesClient;
using SandboxState = Sandboxd.Api.V1.SandboxState;
using StoredState = Sandboxd.Core.State.SandboxState;

namespace Sandboxd.Tests.Daemon;

/// <summary>The lifecycle timers of a real daemon whose clock the test moves (TestClock): idle
/// stop and auto-resume, TTL through stop/resume and a restart with its warning on the watch
/// stream, and the sweeper of stuck transitions. Nothing here sleeps for a timer: the clock
/// jumps, and the test waits (bounded) for the daemon's next look.</summary>
public sealed class IdleAndTtlTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [RootFact]
    public async Task An_idle_sandbox_stops_with_cause_idle_and_the_next_execute_or_file_call_resumes_it()
    {
        using var root = new TempRoot();
        var clock = new TestClockFile(root);
        clock.Set(TimeSpan.Zero);
        using var daemon = new DaemonProcess(root, ownsRoot: false, ["--idle-timeout", "10m"], clock.Environment);
        var idle = await daemon.Client.CreateAsync(new CreateRequest());
        var busy = await daemon.Client.CreateAsync(new CreateRequest());
        var patient = await daemon.Client.CreateAsync(new CreateRequest { IdleTimeoutMs = (ulong)TimeSpan.FromHours(1).TotalMilliseconds });
        var manual = await daemon.Client.CreateAsync(new CreateRequest());
        await daemon.Client.RunAsync(idle.Id, ["/bin/sh", "-c", "echo mine > $HOME/x"]);
        await daemon.Client.StopAsync(manual.Id);
        var running = daemon.Client.RunAsync(busy.Id, ["/bin/sleep", "600"], deadline: TimeSpan.FromMinutes(2));
        await WaitForAsync(async () => (await daemon.Client.GetAsync(busy.Id)).Usage.PidsCurrent >= 2, "the busy command runs");

        clock.Advance(TimeSpan.FromMinutes(11));
        var stopped = await WaitForStateAsync(daemon, idle.Id, SandboxState.Stopped);
        Assert.Equal("idle", stopped.StateCause);
        // Looked at on the same tick as the idle one, with the same clock:
        Assert.Equal(SandboxState.Running, (await daemon.Client.GetAsync(busy.Id)).State); // an execution running is activity
        Assert.Equal(SandboxState.Running, (await daemon.Client.GetAsync(patient.Id)).State); // its own, longer idle time

        var read = await daemon.Client.RunAsync(idle.Id, ["/bin/cat", "/home/user/x"]);
        Assert.Equal("mine\n", read.Stdout);
        var resumed = await daemon.Client.GetAsync(idle.Id);
        Assert.Equal((SandboxState.Running, "auto-resume"), (resumed.State, resumed.StateCause));

        // Idle again; now a file call wakes it.
        clock.Advance(TimeSpan.FromMinutes(11));
        await WaitForStateAsync(daemon, idle.Id, SandboxState.Stopped);
        var files = new FilesClient(daemon.Client.Connection.Channel);
        Assert.Equal("mine\n"u8.ToArray(), await files.ReadAsync(idle.Id, "/home/user/x"));
        Assert.Equal("auto-resume", (await daemon.Client.GetAsync(idle.Id)).StateCause);

        // A sandbox stopped by a call stays stopped until resumed by one.
        var refused = await Assert.ThrowsAsync<RpcException>(() => daemon.Client.RunAsync(manual.Id, ["/bin/true"]));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        await daemon.Client.DestroyAsync(busy.Id);
        await Assert.ThrowsAnyAsync<Exception>(() => running); // ended with its sandbox
    }

    [RootFact]
    public async Task The_ttl_survives_stop_resume_and_a_restart_can_be_extended_warns_the_watcher_and_destroys_at_the_deadline()
    {
        using var root = new TempRoot();
        var clock = new TestClockFile(root);
        clock.Set(TimeSpan.Zero);
        var hour = (ulong)TimeSpan.FromHours(1).TotalMilliseconds;
        Sandbox sandbox;
        long deadline;
        using (var first = new DaemonProcess(root, ownsRoot: false, ["--ttl-warning", "1m"], clock.Environment))
        {
            sandbox = await first.Client.CreateAsync(new CreateRequest { TtlMs = hour });
            deadline = sandbox.DeadlineUnixMs;
            Assert.InRange(deadline - sandbox.CreatedUnixMs, (long)hour - 10_000, (long)hour);
            await first.Client.StopAsync(sandbox.Id);
            clock.Advance(TimeSpan.FromMinutes(20));
            var resumed = await first.Client.ResumeAsync(sandbox.Id);
            Assert.Equal(deadline, resumed.DeadlineUnixMs); // a resume never shortens (nor restarts) it

            var extended = await Sandboxctl.RunAsync(first.Socket, null, "ttl", "extend", sandbox.Id, "30m");
            Assert.True(extended.Code == 0, extended.Stderr);
            deadline += 30 * 60_000;
            Assert.Equal(deadline, (await first.Client.GetAsync(sandbox.Id)).DeadlineUnixMs);
            var listed = await Sandboxctl.RunAsync(first.Socket, null, "list");
            Assert.Contains("DEADLINE", listed.Stdout, StringComparison.Ordinal);
            await first.Client.StopAsync(sandbox.Id);
            first.Stop();
        }

        using var second = new DaemonProcess(root, ownsRoot: false, ["--ttl-warning", "1m"], clock.Environment);
        var after = await second.Client.GetAsync(sandbox.Id);
        Assert.Equal((SandboxState.Stopped, deadline), (after.State, after.DeadlineUnixMs));
        Assert.Equal(deadline, (await second.Client.ResumeAsync(sandbox.Id)).DeadlineUnixMs);

        using var watch = second.Client.Lifecycle.WatchSandbox(new WatchSandboxRequest { Id = sandbox.Id }, deadline: DateTime.UtcNow.AddMinutes(2));
        var events = watch.ResponseStream;
        // sandboxctl watch too: it ends when the sandbox is destroyed (seen live, or as its state when it subscribed).
        var cliWatch = Sandboxctl.RunAsync(second.Socket, null, "watch", sandbox.Id);
        Assert.True(await events.MoveNext());
        Assert.Equal(SandboxEventKind.Current, events.Current.Kind);

        // 30 s before the deadline by the daemon's clock: inside the 1 min warning.
        clock.Set(TimeSpan.FromMilliseconds(deadline - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 30_000));
        Assert.True(await events.MoveNext());
        Assert.Equal(SandboxEventKind.TtlWarning, events.Current.Kind);
        Assert.InRange(events.Current.RemainingMs, 1, 60_000);
        Assert.Equal(SandboxState.Running, (await second.Client.GetAsync(sandbox.Id)).State);

        clock.Advance(TimeSpan.FromMinutes(1));
        var states = new List<(SandboxState, string)>();
        while (await events.MoveNext())
            states.Add((events.Current.Sandbox.State, events.Current.Sandbox.StateCause));
        Assert.Equal([(SandboxState.Destroying, "ttl"), (SandboxState.Destroyed, "ttl")], states);
        var cli = await cliWatch;
        Assert.True(cli.Code == 0, cli.Stderr);
        Assert.EndsWith("destroyed ttl", cli.Stdout.TrimEnd(), StringComparison.Ordinal);
        var gone = await second.Client.GetAsync(sandbox.Id);
        Assert.Equal((SandboxState.Destroyed, "ttl"), (gone.State, gone.StateCause));
        Assert.False(File.Exists(StopResumeTests.DiskImage(root, sandbox.Id)));
    }

    [RootFact]
    public async Task Transitions_left_by_a_crash_or_stuck_past_the_bound_are_driven_to_a_final_state_with_the_reason()
    {
        using var root = new TempRoot();
        var clock = new TestClockFile(root);
        clock.Set(TimeSpan.Zero);
        Sandbox wasStopping;
        using (var first = new DaemonProcess(root, ownsRoot: false, null, clock.Environment))
        {
            wasStopping = await first.Client.CreateAsync(new CreateRequest());
            await first.Client.RunAsync(wasStopping.Id, ["/bin/sh", "-c", "echo kept > $HOME/k"]);
            first.Crash();
        }
        var db = Path.Combine(root.StateDir, "sandboxd.db");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var store = new SqliteStateStore(db))
        {
            // What a crash mid-transition leaves: records in each transitional state.
            store.SetState(wasStopping.Id, StoredState.Stopping, now, "stop requested");
            store.Upsert(Record("sbx-crash-creating", StoredState.Creating, now));
            store.Upsert(Record("sbx-crash-destroying", StoredState.Destroying, now));
        }

        using var second = new DaemonProcess(root, ownsRoot: false, ["--stuck-after", "1m"], clock.Environment);
        var stopping = await second.Client.GetAsync(wasStopping.Id);
        Assert.Equal(SandboxState.Stopped, stopping.State);
        Assert.Contains("while stopping; files kept", stopping.StateCause, StringComparison.Ordinal);
        Assert.Equal((SandboxState.Failed, "daemon restarted while creating"), State(await second.Client.GetAsync("sbx-crash-creating")));
        Assert.Equal(SandboxState.Destroyed, (await second.Client.GetAsync("sbx-crash-destroying")).State);
        await second.Client.ResumeAsync(wasStopping.Id);
        Assert.Equal("kept\n", (await second.Client.RunAsync(wasStopping.Id, ["/bin/cat", "/home/user/k"])).Stdout);

        // While the daemon runs: records stuck past the bound (no call works on them).
        using (var store = new SqliteStateStore(db))
        {
            store.Upsert(Record("sbx-stuck-creating", StoredState.Creating, clock.NowUnixMs));
            store.Upsert(Record("sbx-stuck-resuming", StoredState.Resuming, clock.NowUnixMs));
            store.Upsert(Record("sbx-stuck-destroying", StoredState.Destroying, clock.NowUnixMs));
        }
        clock.Advance(TimeSpan.FromMinutes(2));
        var creating = await WaitForStateAsync(second, "sbx-stuck-creating", SandboxState.Failed);
        Assert.StartsWith("sweeper: creating for 1", creating.StateCause, StringComparison.Ordinal);
        Assert.StartsWith("sweeper: resuming for", (await WaitForStateAsync(second, "sbx-stuck-resuming", SandboxState.Failed)).StateCause,
            StringComparison.Ordinal);
        Assert.StartsWith("sweeper: destroying for", (await WaitForStateAsync(second, "sbx-stuck-destroying", SandboxState.Destroyed)).StateCause,
            StringComparison.Ordinal);
        // The warm pool's prepared sandboxes read "creating" too, and are not the sweeper's: creates still work.
        var fresh = await second.Client.CreateAsync(new CreateRequest());
        Assert.Equal("ok\n", (await second.Client.RunAsync(fresh.Id, ["/bin/echo", "ok"])).Stdout);
        Assert.Equal(SandboxState.Running, (await second.Client.GetAsync(wasStopping.Id)).State);
    }

    private static (SandboxState, string) State(Sandbox s) => (s.State, s.StateCause);

    private static SandboxRecord Record(string id, StoredState state, long atMs) =>
        new(id, state, "", id, atMs, 0, "LOW", new Dictionary<string, string>(), "default", new SandboxLimits(1 << 28, 64, 1, 1 << 26), atMs, "test");

    private static async Task<Sandbox> WaitForStateAsync(DaemonProcess daemon, string id, SandboxState state)
    {
        Sandbox got = null!;
        await WaitForAsync(async () => (got = await daemon.Client.GetAsync(id)).State == state, $"{id} {state}\n{daemon.Log}");
        return got;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "never: " + what);
            await Task.Delay(50);
        }
    }
}
