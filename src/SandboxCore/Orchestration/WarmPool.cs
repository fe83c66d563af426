using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Governance.Config;
using Sandboxd.Isolation.Images;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.Orchestration;

/// <summary>Sandboxes prepared ahead, per profile and image (sandboxd.yaml's pools:, plus
/// --warm-pool for the default profile on the built-in image and --warm-egress for those with
/// their network attached): init running, root mounted, and already joined to its cgroup — on
/// cgroup v1 that join costs 4–16 ms after the host was idle (ARCHITECTURE.md, the performance
/// floor), so it is kept off the request path. A create that takes one only writes its limits.
/// Each lane refills in the background and counts its hits and misses (<see cref="Lanes"/>).
/// Prepared sandboxes are recorded as CREATING, so a crash sweep finds them like any other.</summary>
public sealed partial class WarmPool(SandboxLauncher launcher, SqliteStateStore store, TimeProvider clock,
    int size, ILogger<WarmPool> log, SandboxNetworks? networks = null, int egressSize = 0, ImageStore? images = null) : IDisposable
{
    private static readonly PoolKey DefaultLane = new(BuiltinSandboxProfiles.Default.Name, "", false);
    private static readonly PoolKey DefaultEgressLane = DefaultLane with { Egress = true };

    private readonly ConcurrentDictionary<PoolKey, PoolLane> _lanes = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task _filler = Task.CompletedTask;
    private int _disposed;

    /// <summary>Every lane there is (configured now, or still holding sandboxes), for the Pools
    /// RPC and the metrics: target, ready, hits and misses.</summary>
    public IReadOnlyList<PoolLaneStats> Lanes => _lanes.Values.Select(l => l.Stats())
        .OrderBy(s => s.Key.Profile, StringComparer.Ordinal).ThenBy(s => s.Key.Image, StringComparer.Ordinal).ThenBy(s => s.Key.Egress).ToList();

    public long Hits => Lanes.Sum(l => l.Hits);

    public long Misses => Lanes.Sum(l => l.Misses);

    /// <summary>Sets every lane's size from the config (on start and on each reload): a pools:
    /// entry for the default profile on the built-in image overrides --warm-pool; a lane no
    /// longer named is drained.</summary>
    public void Configure(IReadOnlyList<PoolConfig> pools)
    {
        if (Volatile.Read(ref _disposed) == 1)
            return;
        var targets = new Dictionary<PoolKey, int> { [DefaultLane] = size };
        if (networks is not null)
            targets[DefaultEgressLane] = egressSize;
        foreach (var p in pools)
            targets[new PoolKey(p.Profile, p.Image, false)] = p.Size;
        foreach (var lane in _lanes.Values)
            lane.Target = targets.GetValueOrDefault(lane.Key);
        foreach (var (key, target) in targets)
        {
            if (target == 0 || _lanes.ContainsKey(key) || BuiltinSandboxProfiles.Find(key.Profile) is not { } profile)
                continue;
            _lanes.TryAdd(key, new PoolLane(key, profile) { Target = target });
        }
        _wake.Release();
    }

    /// <summary>Whether this id is a prepared sandbox waiting here (its record reads "creating").</summary>
    public bool Holds(string id) => _lanes.Values.Any(l => l.Ready.Any(p => p.Id == id));

    public void Start()
    {
        if (_lanes.IsEmpty)
            Configure([]);
        _filler = Task.Run(FillLoopAsync);
    }

    /// <summary>A prepared sandbox of this profile on this image ("" = built-in), with its egress
    /// network attached under a deny-all policy when egress. Counts a hit or a miss when the
    /// pool has such a lane.</summary>
    public bool TryTake(SandboxProfile profile, string image, bool egress, out PreparedSandbox prepared)
    {
        prepared = null!;
        if (!_lanes.TryGetValue(new PoolKey(profile.Name, image, egress), out var lane) || (lane.Target == 0 && lane.Ready.IsEmpty))
            return false;
        while (lane.Ready.TryDequeue(out var candidate))
        {
            _wake.Release();
            if (!candidate.Sandbox.Channel.Closed.IsCompleted)
            {
                lane.Hit();
                prepared = candidate;
                return true;
            }
            Discard(candidate);
        }
        lane.Miss();
        _wake.Release();
        return false;
    }

    /// <summary>Who in the pool holds the image, for a remove to refuse; null when nothing does.</summary>
    public string? UserOf(string image) =>
        _lanes.Values.FirstOrDefault(l => l.Key.Image == image && (l.Target > 0 || !l.Ready.IsEmpty || l.Preparing)) is { } lane
            ? $"the warm pool (profile '{lane.Key.Profile}', {lane.Ready.Count} prepared; sandboxd.yaml pools: sets its size)"
            : null;

    private async Task FillLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            bool progressed;
            do
            {
                progressed = false;
                foreach (var lane in _lanes.Values)
                {
                    while (lane.Ready.Count > lane.Target && lane.Ready.TryDequeue(out var extra))
                        Discard(extra);
                    if (lane.Ready.Count >= lane.Target || clock.GetUtcNow() < lane.RetryAt || token.IsCancellationRequested)
                        continue;
                    try
                    {
                        lane.Ready.Enqueue(await PrepareAsync(lane).ConfigureAwait(false));
                        lane.LastError = null;
                        progressed = true;
                    }
                    catch (Exception e)
                    {
                        LogPrepareFailed(lane.Key.Profile, lane.Key.Image.Length == 0 ? ImageStore.DefaultName : lane.Key.Image, e.Message);
                        lane.LastError = e.Message;
                        lane.RetryAt = clock.GetUtcNow() + RetryDelay;
                    }
                }
            }
            while (progressed && !token.IsCancellationRequested);
            await _wake.WaitAsync(NextRetry(), token).ConfigureAwait(false);
            // A take wakes the loop while the create that took is still answering (and its caller's
            // next call, usually an exec, is on the way): a launch now would take the CPU from both.
            await Task.Delay(RefillDelay, clock, token).ConfigureAwait(false);
        }
    }

    /// <summary>Until the soonest retry of a lane that is short; forever when none is.</summary>
    private TimeSpan NextRetry()
    {
        var now = clock.GetUtcNow();
        var waits = _lanes.Values.Where(l => l.Ready.Count < l.Target).Select(l => l.RetryAt - now).ToList();
        if (waits.Count == 0)
            return Timeout.InfiniteTimeSpan;
        var soonest = waits.Min();
        return soonest > TimeSpan.Zero ? soonest : TimeSpan.Zero;
    }

    private async Task<PreparedSandbox> PrepareAsync(PoolLane lane)
    {
        lane.BeginPrepare();
        try
        {
            var prepared = Prepare(lane);
            if (!lane.Key.Egress)
                return prepared;
            try
            {
                var egress = await networks!.AttachAsync(prepared.Id, prepared.Sandbox.InitPid,
                    new SandboxNetwork(NetworkMode.Egress, Isolation.Network.EgressPolicy.DenyAll, false)).ConfigureAwait(false);
                return prepared with { Egress = egress };
            }
            catch
            {
                Discard(prepared);
                throw;
            }
        }
        finally
        {
            lane.EndPrepare();
        }
    }

    private PreparedSandbox Prepare(PoolLane lane)
    {
        var profile = lane.Profile;
        string? rootfs = null;
        // Held while launching: a remove of the image waits for neither, it refuses.
        using var use = lane.Key.Image.Length == 0 ? null
            : (images ?? throw new InvalidOperationException("no image store")).Use(lane.Key.Image, out rootfs);
        var id = "sbx-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var limits = LimitsResolver.Resolve(profile, null);
        // Recorded before it exists: a crash mid-launch leaves a record the next start sweeps.
        var record = new SandboxRecord(id, SandboxState.Creating, lane.Key.Image, id, clock.GetUtcNow().ToUnixTimeMilliseconds(),
            0, "", new Dictionary<string, string>(), profile.Name, limits);
        store.Upsert(record);
        LaunchedSandbox sandbox;
        try
        {
            sandbox = launcher.Launch(new SandboxSpec(id, rootfs, id, profile, LimitsResolver.ToCgroup(limits, profile), limits.DiskBytes));
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
        foreach (var lane in _lanes.Values)
            while (lane.Ready.TryDequeue(out var prepared))
                Discard(prepared);
        _stop.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "preparing a sandbox for the warm pool (profile {Profile}, image {Image}) failed: {Error}")]
    private partial void LogPrepareFailed(string profile, string image, string error);
}
