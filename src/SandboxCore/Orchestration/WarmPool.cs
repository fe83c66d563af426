using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sandboxd.Api.V1;
using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Network;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.Orchestration;

/// <summary>Sandboxes prepared ahead for the default image: init running, root mounted, and
/// already joined to its cgroup — on cgroup v1 that join costs 4–16 ms after the host was idle
/// (ARCHITECTURE.md, the performance floor), so it is kept off the request path. A create that
/// takes one only writes its limits. Prepared sandboxes are recorded as CREATING, so a crash
/// sweep finds them like any other.</summary>
public sealed partial class WarmPool(SandboxLauncher launcher, SqliteStateStore store, TimeProvider clock,
    int size, ILogger<WarmPool> log, SandboxNetworks? networks = null, int egressSize = 0) : IDisposable
{
    private readonly ConcurrentQueue<PreparedSandbox> _ready = new();
    // Egress sandboxes with their veth, firewall chain and proxy already set up under a deny-all
    // policy: attaching costs ~50 ms of ip/nsenter/nft; a take only swaps in the request's policy.
    private readonly ConcurrentQueue<PreparedSandbox> _readyEgress = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task _filler = Task.CompletedTask;
    private int _disposed;

    public SandboxProfile Profile { get; } = BuiltinSandboxProfiles.Default;

    public int Count => _ready.Count;

    /// <summary>Whether this id is a prepared sandbox waiting here (its record reads "creating").</summary>
    public bool Holds(string id) => _ready.Any(p => p.Id == id) || _readyEgress.Any(p => p.Id == id);

    public void Start()
    {
        if (size > 0 || (egressSize > 0 && networks is not null))
            _filler = Task.Run(FillLoopAsync);
    }

    public bool TryTake(out PreparedSandbox prepared) => TryTake(_ready, out prepared);

    /// <summary>A sandbox already attached to the egress network under a deny-all policy.</summary>
    public bool TryTakeEgress(out PreparedSandbox prepared) => TryTake(_readyEgress, out prepared);

    private bool TryTake(ConcurrentQueue<PreparedSandbox> queue, out PreparedSandbox prepared)
    {
        while (queue.TryDequeue(out var candidate))
        {
            _wake.Release();
            if (!candidate.Sandbox.Channel.Closed.IsCompleted)
            {
                prepared = candidate;
                return true;
            }
            Discard(candidate);
        }
        _wake.Release();
        prepared = null!;
        return false;
    }

    private async Task FillLoopAsync()
    {
        var token = _stop.Token;
        // Each kind backs off on its own: egress failing (no nft, say) must not keep the plain
        // pool empty, or every create pays a full launch.
        var egressRetryAt = DateTimeOffset.MinValue;
        while (!token.IsCancellationRequested)
        {
            while ((_ready.Count < size || (NeedsEgress && clock.GetUtcNow() >= egressRetryAt)) && !token.IsCancellationRequested)
            {
                bool plain = _ready.Count < size;
                try
                {
                    if (plain)
                        _ready.Enqueue(Prepare());
                    else
                        _readyEgress.Enqueue(await PrepareEgressAsync().ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    LogPrepareFailed(e.Message);
                    // A host that cannot make sandboxes now is not retried in a tight loop.
                    if (plain)
                        await Task.Delay(RetryDelay, clock, token).ConfigureAwait(false);
                    else
                        egressRetryAt = clock.GetUtcNow() + RetryDelay;
                }
            }
            if (NeedsEgress && _ready.Count >= size)
                await _wake.WaitAsync(EgressWait(egressRetryAt), token).ConfigureAwait(false);
            else
                await _wake.WaitAsync(token).ConfigureAwait(false);
            // A take wakes the loop while the create that took is still answering (and its caller's
            // next call, usually an exec, is on the way): a launch now would take the CPU from both.
            await Task.Delay(RefillDelay, clock, token).ConfigureAwait(false);
        }
    }

    private PreparedSandbox Prepare()
    {
        var id = "sbx-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var limits = LimitsResolver.Resolve(Profile, null);
        // Recorded before it exists: a crash mid-launch leaves a record the next start sweeps.
        var record = new SandboxRecord(id, SandboxState.Creating, "", id, clock.GetUtcNow().ToUnixTimeMilliseconds(),
            0, "", new Dictionary<string, string>(), Profile.Name, limits);
        store.Upsert(record);
        LaunchedSandbox sandbox;
        try
        {
            sandbox = launcher.Launch(new SandboxSpec(id, null, id, Profile, LimitsResolver.ToCgroup(limits, Profile), limits.DiskBytes));
        }
        catch
        {
            store.SetState(id, SandboxState.Failed, clock.GetUtcNow().ToUnixTimeMilliseconds(), "warm pool: prepare failed");
            throw;
        }
        try
        {
            store.Upsert(record with { InitPid = sandbox.InitPid });
        }
        catch
        {
            sandbox.Destroy();
            throw;
        }
        return new PreparedSandbox(id, sandbox);
    }

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RefillDelay = TimeSpan.FromMilliseconds(15);

    private TimeSpan EgressWait(DateTimeOffset retryAt)
    {
        var wait = retryAt - clock.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private bool NeedsEgress => networks is not null && _readyEgress.Count < egressSize;

    private async Task<PreparedSandbox> PrepareEgressAsync()
    {
        var prepared = Prepare();
        try
        {
            var egress = await networks!.AttachAsync(prepared.Id, prepared.Sandbox.InitPid,
                new SandboxNetwork(Sandboxd.Api.V1.NetworkMode.Egress, Sandboxd.Isolation.Network.EgressPolicy.DenyAll, false)).ConfigureAwait(false);
            return prepared with { Egress = egress };
        }
        catch
        {
            Discard(prepared);
            throw;
        }
    }

    /// <summary>Tears a prepared sandbox down whole: its network, its processes, its record.</summary>
    public void Discard(PreparedSandbox prepared)
    {
        try
        {
            if (prepared.Egress is not null)
                networks?.DetachAsync(prepared.Id, prepared.Egress).GetAwaiter().GetResult();
            prepared.Sandbox.Destroy();
        }
        finally
        {
            store.SetState(prepared.Id, SandboxState.Destroyed, clock.GetUtcNow().ToUnixTimeMilliseconds(), "warm pool: discarded");
        }
    }

    /// <summary>Idempotent: called on shutdown, and again by the container.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _stop.Cancel();
        try
        {
            _filler.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Cancelled while waiting: expected.
        }
        while (_ready.TryDequeue(out var prepared))
            Discard(prepared);
        while (_readyEgress.TryDequeue(out var prepared))
            Discard(prepared);
        _stop.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "preparing a sandbox for the warm pool failed: {Error}")]
    private partial void LogPrepareFailed(string error);
}
