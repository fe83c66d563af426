using Sandboxd.Audit.Events;
using Sandboxd.Core.Orchestration.Executions;
using Sandboxd.Isolation.Execution;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>Executions as objects: started detached, kept with their output rings in the
/// sandbox's table, found again by id.</summary>
public sealed partial class Orchestrator
{
    private const int DefaultBufferBytes = 1 << 20;
    private const int MaxBufferBytes = 64 << 20;

    /// <summary>The lookup every call on a running sandbox goes through (Sandboxes and Executions),
    /// scoped to the caller's tenant.</summary>
    public LiveSandbox Running(string field, string id)
    {
        RequestChecks.SandboxId(field, id);
        if (TryGetVisible(id, out var live))
            return live;
        // A stopped sandbox exists; what it needs is a resume (idle-stopped ones get one: AwakeAsync).
        if (VisibleRecord(store.Find(id)) is { State: SandboxState.Stopped } stopped)
            throw new SandboxStateException(id, stopped.State, "run commands or reach files", "resume it first");
        throw new SandboxNotFoundException(id);
    }

    public Execution FindExecution(string sandboxId, string executionId)
    {
        var live = Running("sandbox_id", sandboxId);
        NoteActivity(live);
        if (executionId.Length == 0)
            throw new InvalidFieldException("execution_id", "required");
        return live.Executions.Get(sandboxId, executionId);
    }

    public IReadOnlyList<Execution> ListExecutions(string sandboxId) => Running("sandbox_id", sandboxId).Executions.All();

    /// <summary>Checks a command request and builds what init runs.</summary>
    private (LiveSandbox Live, ExecSpec Spec) PrepareCommand(string sandboxId, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> requestEnv,
        string cwd, string user, IReadOnlyDictionary<string, string>? defaults = null)
    {
        RequestChecks.SandboxId("sandbox_id", sandboxId);
        RequestChecks.Argv(argv);
        RequestChecks.Env(requestEnv);
        RequestChecks.Cwd(cwd);
        var (uid, gid, home) = RequestChecks.User(user);
        var live = Running("sandbox_id", sandboxId);
        var merged = new Dictionary<string, string>(defaults ?? new Dictionary<string, string>());
        foreach (var (k, v) in requestEnv)
            merged[k] = v;
        var env = CommandEnvironment.Build(home, live.Egress?.ProxyEnvironment, merged);
        RequestChecks.ArgsAndEnvCount(argv.Count, env.Count);
        return (live, new ExecSpec(argv.ToList(), env, cwd.Length > 0 ? cwd : home, uid, gid));
    }

    /// <summary>Starts the command and returns once it runs; it goes on whoever is attached.</summary>
    public async Task<Execution> StartExecutionAsync(StartExecution request)
    {
        var terminalEnv = request.Tty ? new Dictionary<string, string> { ["TERM"] = "xterm-256color" } : null;
        await AwakeAsync("sandbox_id", request.SandboxId).ConfigureAwait(false);
        var (live, spec) = PrepareCommand(request.SandboxId, request.Argv, request.Env, request.Cwd, request.User, terminalEnv);
        if (request.BufferBytes > MaxBufferBytes)
            throw new InvalidFieldException("buffer_bytes", $"{request.BufferBytes} is over the limit of {MaxBufferBytes}");
        if (request.Rows > ushort.MaxValue || request.Cols > ushort.MaxValue)
            throw new InvalidFieldException(request.Rows > ushort.MaxValue ? "rows" : "cols", "over 65535");
        if (request.Tag.Length > 256)
            throw new InvalidFieldException("tag", "longer than 256 characters");
        int buffer = request.BufferBytes == 0 ? DefaultBufferBytes : (int)request.BufferBytes;
        (ushort, ushort)? terminal = request.Tty
            ? ((ushort)(request.Rows == 0 ? 24 : request.Rows), (ushort)(request.Cols == 0 ? 80 : request.Cols))
            : null;

        var executionId = live.NextExecutionId();
        var before = ReadCounters(live);
        var settled = live.Files.SettledAsync();
        if (!ExecveAudited(live))
            await settled.ConfigureAwait(false);
        var correlation = Api.CallCorrelation.Current?.Audit ?? AuditCorrelation.None;
        audit.Emit(AuditKind.ExecutionStarted, live.Record.Id, executionId, AuditAttributes.Started(spec, request.User));
        BackgroundCommand command;
        try
        {
            var tag = new ExecutionTag(live.Record.Id, executionId, correlation, audit) { FilesSettled = settled };
            command = await BackgroundCommand.StartAsync(live.Launched.Channel, live.Launched.InitPid, spec, buffer, terminal, tag)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is SandboxSetupException or InitExitedException)
        {
            throw StartFailed(live, executionId, spec, e);
        }
        var execution = new Execution(executionId, live.Record.Id, request.Tag, spec.Argv, clock.GetUtcNow().ToUnixTimeMilliseconds(), command);
        live.Executions.Add(execution);
        _ = FinishExecutionAsync(live, execution, spec, request.User, correlation, before);
        return execution;
    }

    private async Task FinishExecutionAsync(LiveSandbox live, Execution execution, ExecSpec spec, string user, AuditCorrelation correlation,
        Isolation.Cgroups.CgroupEventCounters? before)
    {
        try
        {
            var result = await execution.Command.Exited.ConfigureAwait(false);
            var outcome = Concluded(live, execution.Id, spec, user, result, before, correlation);
            execution.Finished(outcome);
        }
        catch (Exception e)
        {
            live.Files.RecordAfter(execution.Id, correlation);
            execution.Failed(e);
        }
    }

    /// <summary>Audits a command that could not start; what to throw to the caller.</summary>
    private Exception StartFailed(LiveSandbox live, string executionId, ExecSpec spec, Exception e)
    {
        audit.Emit(AuditKind.ExecutionFailedToStart, live.Record.Id, executionId,
            new Dictionary<string, string> { ["argv0"] = spec.Argv[0], ["error"] = e.Message });
        return e is SandboxSetupException { Step.Length: > 0 } step ? new CommandStartException(spec.Argv[0], step) : e;
    }

    /// <summary>After the command exited: its audit record, its file changes, the limits it hit.</summary>
    private CommandOutcome Concluded(LiveSandbox live, string executionId, ExecSpec spec, string user, ExecutionResult result,
        Isolation.Cgroups.CgroupEventCounters? before, AuditCorrelation correlation, StageClock? stages = null)
    {
        audit.Emit(AuditKind.ExecutionFinished, live.Record.Id, executionId, AuditAttributes.Finished(spec, user, result));
        live.Files.RecordAfter(executionId, correlation);
        stages?.Mark("audit_finished");
        var after = ReadCounters(live);
        // Counters of the whole sandbox: with commands running side by side, a kill is
        // attributed to each of them that could have caused it.
        bool oom = result.Signal == 9 && (after?.OomKills ?? 0) > (before?.OomKills ?? 0);
        bool pidsHit = (after?.PidsLimitHits ?? 0) > (before?.PidsLimitHits ?? 0);
        if (oom)
            audit.Emit(AuditKind.ResourceOomKilled, live.Record.Id, executionId, AuditAttributes.LimitHit(spec, "memory_bytes", live.Record.Limits.MemoryBytes));
        if (pidsHit)
            audit.Emit(AuditKind.ResourcePidsLimit, live.Record.Id, executionId, AuditAttributes.LimitHit(spec, "pids", live.Record.Limits.Pids));
        stages?.Mark("counters");
        return new CommandOutcome(executionId, result, oom, pidsHit);
    }
}
