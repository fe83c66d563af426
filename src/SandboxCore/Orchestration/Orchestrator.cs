using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Sandboxd.Api.V1;
using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Core.Orchestration.Governance;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Execution;
using Sandboxd.Isolation.Images;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Network;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.Orchestration;

/// <summary>Creates, runs commands in and destroys sandboxes; keeps the store and the audit
/// record in step with what really exists.</summary>
public sealed partial class Orchestrator(SandboxLauncher launcher, SqliteStateStore store, WarmPool pool, SandboxNetworks networks, IAuditSink audit,
    SandboxOwners owners, TimeProvider clock, ILogger<Orchestrator> log, Admission admission, LifecycleOptions lifecycle,
    SandboxWatchers watchers, ImageStore images, GovernanceGate governance) : IDisposable
{
    private readonly ConcurrentDictionary<string, LiveSandbox> _live = new();

    public async Task<Sandbox> CreateAsync(CreateRequest request, StageClock? stages = null)
    {
        RequestChecks.Hostname(request.Hostname, "");
        CheckTtl(request);
        // The image is checked (a name must be imported) before a proposal is made for it.
        using (UseImage(request.Image, out _, out var named))
        {
            var call = Api.CallCorrelation.Current;
            var plan = governance.Plan(request, named.Length == 0 ? null : named, call?.Principal);
            if (plan.Spec is not null && governance.NeedsApproval(CallerTenant, plan.Risk))
                return Propose(request, plan, call);
            return await LaunchAsync(request, plan, stages).ConfigureAwait(false);
        }
    }

    /// <summary>Creates what <paramref name="plan"/> says, for the ambient caller's tenant.</summary>
    private async Task<Sandbox> LaunchAsync(CreateRequest request, CreatePlan plan, StageClock? stages, string proposalId = "")
    {
        var (profile, limits, network, risk) = (plan.Profile, plan.Limits, plan.Network, plan.Risk);
        // plan.Image: an imported image's name, a rootfs path, or null (built-in); held while in use.
        using var imageUse = UseImage(plan.Image ?? "", out var image, out var imageName);
        var deadline = plan.Ttl is { } ttl ? clock.GetUtcNow().ToUnixTimeMilliseconds() + (long)ttl.TotalMilliseconds : 0;
        var tenant = CallerTenant;
        using var reservation = admission.Reserve(tenant, limits, _live.Values.Select(l => l.Record), store.Stopped());
        // Egress is attached to a taken (warm) sandbox like to a new one: it needs only init's netns.
        stages?.Mark("checks");
        var prepared = TakePrepared(imageName, request.Hostname, profile, limits, network);
        var (id, launched) = prepared is { } p ? (p.Id, p.Sandbox) : LaunchNew(image, imageName, request.Hostname, profile, limits);
        stages?.Mark(prepared is null ? "launch" : "pool_take");
        // Before the network is attached: its first decision may come before this call returns.
        owners.Set(id, Api.CallCorrelation.Current?.Audit ?? AuditCorrelation.None);
        launched.Channel.SyscallObserved = notice => ObserveSyscall(id, notice);
        var egress = prepared?.Egress ?? await AttachAsync(id, launched, network).ConfigureAwait(false);
        stages?.Mark("network");
        var hostname = request.Hostname.Length > 0 ? request.Hostname : id;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var record = new SandboxRecord(id, SandboxState.Running, imageName, hostname, now,
            launched.InitPid, risk.ToString().ToUpperInvariant(), new Dictionary<string, string>(request.Labels), profile.Name, limits,
            now, "created")
        {
            // Persisted now, not only on stop: a restarted daemon re-attaches a re-adopted sandbox with it.
            Network = network.ToProto(network.Policy).ToByteArray(),
            Tenant = tenant, IdRangeBase = launched.IdRangeBase, DeadlineUnixMs = deadline, IdleTimeoutMs = (long)request.IdleTimeoutMs,
            ProposalId = proposalId, ProfileOverrides = plan.Overrides,
        };
        var live = new LiveSandbox(record, launched, network, egress, new FileChangeRecorder(id, launched.Layers, audit, log));
        stages?.Mark("file_baseline");
        reservation.Commit(() => _live[id] = live);
        try
        {
            store.Upsert(record);
            stages?.Mark("store");
        }
        catch
        {
            _live.TryRemove(id, out _);
            await networks.DetachAsync(id, egress).ConfigureAwait(false);
            launched.Destroy();
            owners.Forget(id);
            throw;
        }
        _ = WatchInitAsync(live);
        var created = new Dictionary<string, string>(AuditAttributes.Created(record)) { ["network"] = network.IsEgress ? "egress" : "none" };
        audit.Emit(AuditKind.SandboxCreated, id, null, created);
        audit.Emit(AuditKind.SandboxStateChanged, id, null, StateChange(SandboxState.Creating, SandboxState.Running, "created"));
        LogCreated(id, launched.InitPid);
        stages?.Mark("audit_emit");
        return ToProto(live);
    }

    /// <summary>On the command's seccomp listener, before an audited call runs (or after a refused
    /// one was answered). A program start may first wait for the previous execution's file walk.</summary>
    private void ObserveSyscall(string id, SyscallNotice notice)
    {
        var tag = notice.Tag as ExecutionTag;
        tag?.BeforeAuditedCall(notice);
        audit.Emit(SyscallAuditEvent.Kind(notice), tag?.Correlation ?? AuditCorrelation.None, id, tag?.ExecutionId,
            SyscallAuditEvent.Attributes(notice));
        tag?.AfterAuditedCall(notice);
    }

    /// <summary>A sandbox whose network cannot be set up is not handed out half-made.</summary>
    private async Task<IEgressAttachment?> AttachAsync(string id, LaunchedSandbox launched, SandboxNetwork network)
    {
        try
        {
            return await networks.AttachAsync(id, launched.InitPid, network).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            launched.Destroy();
            RecordCreateFailed(id, e);
            owners.Forget(id);
            throw;
        }
    }

    public Sandbox UpdateNetworkPolicy(UpdateNetworkPolicyRequest request)
    {
        var live = Running("sandbox_id", request.SandboxId);
        if (live.Egress is not { } egress)
            throw new NetworkNotEnabledException(request.SandboxId);
        egress.UpdatePolicy(EgressPolicyMapping.FromProto(request.Policy, "policy"));
        store.SetNetwork(request.SandboxId, live.Network.ToProto(egress.Policy).ToByteArray());
        LogPolicyUpdated(request.SandboxId);
        return ToProto(live);
    }

    /// <summary>A prepared sandbox, when the request asks for nothing it was not prepared with.</summary>
    private PreparedSandbox? TakePrepared(string image, string hostname, SandboxProfile profile, SandboxLimits limits, SandboxNetwork network)
    {
        if (hostname.Length > 0 || limits.DiskBytes != profile.DiskBytes || network.Transparent || image.StartsWith('/'))
            return null;
        if (!pool.TryTake(profile, image, network.IsEgress, out var prepared))
            return null;
        try
        {
            prepared.Sandbox.Cgroup.ApplyLimits(LimitsResolver.ToCgroup(limits, profile));
            // Prepared under deny-all: the request's policy is in force before Create returns.
            prepared.Egress?.UpdatePolicy(network.Policy);
        }
        catch
        {
            pool.Discard(prepared);
            throw;
        }
        return prepared;
    }

    private (string, LaunchedSandbox) LaunchNew(string? image, string imageName, string hostname, SandboxProfile profile, SandboxLimits limits)
    {
        var id = "sbx-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var name = hostname.Length > 0 ? hostname : id;
        // Recorded before it exists: a crash mid-launch leaves a record the next start sweeps.
        store.Upsert(new SandboxRecord(id, SandboxState.Creating, imageName, name, clock.GetUtcNow().ToUnixTimeMilliseconds(),
            0, "", new Dictionary<string, string>(), profile.Name, limits, 0, "create requested") { Tenant = CallerTenant });
        try
        {
            var spec = new SandboxSpec(id, image, name, profile, LimitsResolver.ToCgroup(limits, profile), limits.DiskBytes);
            return (id, launcher.Launch(spec));
        }
        catch (Exception e)
        {
            RecordCreateFailed(id, e);
            throw;
        }
    }

    private void RecordCreateFailed(string id, Exception e)
    {
        Transition(id, null, SandboxState.Creating, SandboxState.Failed, "create failed: " + e.Message);
        audit.Emit(AuditKind.SandboxCreateFailed, id, null, new Dictionary<string, string> { ["error"] = e.Message });
    }

    public Sandbox Get(string id)
    {
        RequestChecks.SandboxId("id", id);
        if (TryGetVisible(id, out var live))
            return ToProto(live, ReadUsage(live));
        return VisibleRecord(store.Find(id)) is { } r ? ToProto(r) : throw new SandboxNotFoundException(id);
    }

    public IReadOnlyList<Sandbox> List() =>
        VisibleLiveSandboxes().Select(l => ToProto(l)).Concat(VisibleStopped()).OrderBy(s => s.CreatedUnixMs).ToList();

    public async Task<CommandOutcome> ExecuteAsync(ExecuteRequest request, CommandRunner.OutputSink sink, CancellationToken cancel,
        StageClock? stages = null)
    {
        await AwakeAsync("sandbox_id", request.SandboxId).ConfigureAwait(false);
        var (live, spec) = PrepareCommand(request.SandboxId, request.Argv, request.Env, request.Cwd, request.User);
        RequireRunning(live, "execute");
        using var executing = Execution(live);
        var timeout = RequestChecks.Timeout(request.TimeoutMs);
        var executionId = live.NextExecutionId();
        ExecutionResult result;
        var before = ReadCounters(live);
        stages?.Mark("checks");
        // The previous execution's file walk is its "after" and this one's "before", so this
        // command must not change a file before that walk has read the layer. Where every program
        // start is an audited execve, the command's first execve waits for it (ExecutionTag) and
        // nothing here does: no response waits for a diff unless the walk is still running when
        // the next program starts. Elsewhere the command starts after the walk.
        var settled = live.Files.SettledAsync();
        if (!ExecveAudited(live))
            await settled.ConfigureAwait(false);
        stages?.Mark("walk_wait");
        var correlation = Api.CallCorrelation.Current?.Audit ?? AuditCorrelation.None;
        audit.Emit(AuditKind.ExecutionStarted, live.Record.Id, executionId, AuditAttributes.Started(spec, request.User));
        stages?.Mark("audit_started");
        try
        {
            var tag = new ExecutionTag(executionId, correlation) { FilesSettled = settled, Stages = stages };
            result = await CommandRunner.RunAsync(live.Launched.Channel, spec, request.Stdin.Memory, sink, timeout, cancel, tag).ConfigureAwait(false);
            ExecutionStages.Charge(stages, result.Timeline);
        }
        catch (Exception e) when (e is SandboxSetupException or InitExitedException)
        {
            var thrown = StartFailed(live, executionId, spec, e);
            if (thrown == e)
                throw;
            throw thrown;
        }
        catch (OperationCanceledException)
        {
            live.Files.RecordAfter(executionId, correlation); // killed, but it may have written
            throw;
        }
        return Concluded(live, executionId, spec, request.User, result, before, correlation, stages);
    }

    /// <summary>Every way to start a program in the sandbox reaches the daemon before it runs.</summary>
    private static bool ExecveAudited(LiveSandbox live)
    {
        var audited = LimitsResolver.Profile(live.Record.Profile).AuditedSyscalls;
        return audited.Contains("execve") && audited.Contains("execveat");
    }

    private CgroupEventCounters? ReadCounters(LiveSandbox live) => ReadCgroup(live, g => g.ReadEventCounters());

    private CgroupUsage? ReadUsage(LiveSandbox live) => ReadCgroup(live, g => g.ReadUsage());

    /// <summary>Usage is reported, never fatal: a failed read is logged and leaves the field empty.</summary>
    private T? ReadCgroup<T>(LiveSandbox live, Func<ICgroup, T> read) where T : class
    {
        try
        {
            return read(live.Launched.Cgroup);
        }
        catch (CgroupException e)
        {
            LogUsageFailed(live.Record.Id, e.Message);
            return null;
        }
    }

    /// <summary>Idempotent: false when the sandbox was already gone.</summary>
    public async Task<bool> DestroyAsync(string id, StageClock? stages = null, string? cause = null)
    {
        RequestChecks.SandboxId("id", id);
        await WaitForTurnAsync(id).ConfigureAwait(false);
        if (!TryGetVisible(id, out _) || !_live.TryRemove(id, out var live))
            return DestroyStopped(id, cause) || DestroyFailed(id);
        lock (live)
        {
            Transition(id, live, live.Record.State, SandboxState.Destroying, cause ?? "destroy requested");
            live.Launched.Cgroup.Thaw(); // a paused sandbox's processes die only once thawed
        }
        try
        {
            // Network first: the proxy stops serving before the processes it serves are gone.
            await networks.DetachAsync(id, live.Egress).ConfigureAwait(false);
            stages?.Mark("network");
            live.Launched.Destroy(stages is null ? null : stages.Mark);
            live.Files.StopWatching();
        }
        finally
        {
            Transition(id, live, SandboxState.Destroying, SandboxState.Destroyed, cause ?? "destroyed");
            stages?.Mark("store");
        }
        audit.Emit(AuditKind.SandboxDestroyed, id, null);
        stages?.Mark("audit_emit");
        owners.Forget(id);
        LogDestroyed(id);
        return true;
    }

    /// <summary>On shutdown with --destroy-on-exit (else <see cref="Exit"/> keeps them running):
    /// every sandbox is destroyed, so the daemon leaves the host clean.</summary>
    public void DestroyAll()
    {
        StopTimers();
        foreach (var id in _live.Keys.ToList())
        {
            try
            {
                // Shutdown callbacks are synchronous; this runs on the host's stopping thread.
                DestroyAsync(id).GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                LogDestroyFailed(id, e.Message);
            }
        }
    }

    private async Task WatchInitAsync(LiveSandbox live)
    {
        await live.Launched.Channel.Closed.ConfigureAwait(false);
        if (!_live.TryRemove(live.Record.Id, out _))
            return;
        // init died without a Destroy: reap it and clean up, so nothing is stuck as "running".
        await networks.DetachAsync(live.Record.Id, live.Egress).ConfigureAwait(false);
        try
        {
            live.Launched.Destroy();
            live.Files.StopWatching();
        }
        catch (Exception e)
        {
            LogDestroyFailed(live.Record.Id, e.Message);
        }
        Transition(live.Record.Id, live, live.Record.State, SandboxState.Failed, "init exited");
        audit.Emit(AuditKind.SandboxFailed, owners.Of(live.Record.Id), live.Record.Id, null,
            new Dictionary<string, string> { ["error"] = "init exited" });
        owners.Forget(live.Record.Id);
    }

    private static Sandbox ToProto(SandboxRecord r) => SandboxMapping.ToProto(r);

    private static Sandbox ToProto(LiveSandbox live, CgroupUsage? usage = null) => SandboxMapping.ToProto(live, usage);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "sandbox {Id} created, init pid {Pid}")]
    private partial void LogCreated(string id, int pid);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "sandbox {Id} destroyed")]
    private partial void LogDestroyed(string id);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "destroying sandbox {Id} failed: {Error}")]
    private partial void LogDestroyFailed(string id, string error);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "reading usage of sandbox {Id} failed: {Error}")]
    private partial void LogUsageFailed(string id, string error);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "sandbox {Id}: network policy updated")]
    private partial void LogPolicyUpdated(string id);

    public void Dispose() => Exit();
}
