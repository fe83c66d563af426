using Microsoft.Extensions.Logging;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Orchestration;

/// <summary>Surviving the daemon. A sandbox's init outlives the daemon (native/init_adopt.c), so
/// after a kill -9, a crash or an upgrade the next daemon re-adopts every running or paused sandbox
/// whose init is still there: same id, init, files, cgroup and limits; its egress network is set up
/// again with its recorded policy (a new veth and proxy listener: the old proxy died with the old
/// daemon). Executions it was running are lost (init ends them when the old daemon goes). On a
/// clean shutdown sandboxes are left running the same way, unless --destroy-on-exit.</summary>
public sealed partial class Orchestrator
{
    /// <summary>A re-adopted sandbox before its network is back.</summary>
    private sealed record Adoption(SandboxRecord Record, LaunchedSandbox Launched, SandboxNetwork Network);

    /// <summary>Takes back the inits of running and paused sandboxes; the ids it could not, with why.</summary>
    private (List<Adoption>, Dictionary<string, string>) ReadoptInits(IReadOnlyList<SandboxRecord> records)
    {
        var adopted = new List<Adoption>();
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        // In parallel: an init that does not answer costs its timeout, not everyone's.
        Parallel.ForEach(records.Where(r => r.State is SandboxState.Running or SandboxState.Paused),
            new ParallelOptions { MaxDegreeOfParallelism = 8 }, record =>
            {
                try
                {
                    var network = StoredNetwork(record);
                    var launched = launcher.Readopt(record.Id, record.InitPid, LimitsResolver.Profile(record.Profile),
                        record.Image.Length > 0 ? record.Image : null, record.IdRangeBase, record.State == SandboxState.Paused);
                    lock (adopted)
                        adopted.Add(new Adoption(record, launched, network));
                }
                catch (Exception e)
                {
                    lock (adopted)
                        failed[record.Id] = e.Message;
                    LogReadoptFailed(record.Id, e.Message);
                }
            });
        return (adopted, failed);
    }

    /// <summary>The previous daemon's veths go first (a re-adopted sandbox that keeps one is ended:
    /// its veth must not outlive the firewall table), then its table, then each sandbox gets its
    /// network anew and joins the live set.</summary>
    private async Task ReattachAsync(List<Adoption> adopted, bool staleEgress)
    {
        var kept = new List<Adoption>();
        foreach (var a in adopted)
        {
            try
            {
                if (a.Network.IsEgress)
                    await SandboxNetworks.DropStaleVethAsync(a.Launched.InitPid).ConfigureAwait(false);
                kept.Add(a);
            }
            catch (NetworkSetupException e)
            {
                Abandon(a, "its previous veth could not be removed: " + e.Message);
            }
        }
        if (staleEgress)
        {
            try
            {
                await networks.DropStaleTableAsync().ConfigureAwait(false);
            }
            catch (NetworkSetupException e)
            {
                LogReadoptFailed("(egress table)", e.Message);
            }
        }
        foreach (var a in kept)
        {
            IEgressAttachment? egress;
            try
            {
                egress = await networks.AttachAsync(a.Record.Id, a.Launched.InitPid, a.Network).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Abandon(a, "network: " + e.Message);
                continue;
            }
            var id = a.Record.Id;
            var live = new LiveSandbox(a.Record, a.Launched, a.Network, egress, new FileChangeRecorder(id, a.Launched.Layers, audit, log));
            owners.Set(id, new AuditCorrelation(a.Record.Tenant));
            live.Launched.Channel.SyscallObserved = notice => ObserveSyscall(id, notice);
            NoteActivity(live);
            _live[id] = live;
            _ = WatchInitAsync(live);
            LogReadopted(id, a.Launched.InitPid, SandboxStates.Name(a.Record.State));
        }
    }

    /// <summary>Re-adopted, then found unusable: ended, and kept stopped with its files.</summary>
    private void Abandon(Adoption a, string why)
    {
        LogReadoptFailed(a.Record.Id, why);
        try
        {
            a.Launched.Stop();
        }
        catch (Exception e)
        {
            LogDestroyFailed(a.Record.Id, e.Message);
        }
        Finish(a.Record, SandboxState.Stopped, $"daemon restarted and could not re-adopt it ({why}); files kept");
    }

    /// <summary>On shutdown: with --destroy-on-exit every sandbox is destroyed; otherwise they are
    /// left running (their inits wait for the next daemon) and only this daemon's hold on them ends.</summary>
    public void Exit()
    {
        if (lifecycle.DestroyOnExit)
        {
            DestroyAll();
            return;
        }
        StopTimers();
        int kept = 0;
        bool egress = false;
        foreach (var id in _live.Keys.ToList())
        {
            // Out of the live set: the channel closing as the process exits is not an init death.
            if (_live.TryRemove(id, out var live))
            {
                kept++;
                egress |= live.Egress is not null;
            }
        }
        if (egress)
            networks.KeepOnExit();
        if (kept > 0)
            LogKeptRunning(kept);
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Information, Message = "sandbox {Id} re-adopted, init pid {Pid} ({State})")]
    private partial void LogReadopted(string id, int pid, string state);

    [LoggerMessage(EventId = 141, Level = LogLevel.Warning, Message = "sandbox {Id} not re-adopted: {Error}")]
    private partial void LogReadoptFailed(string id, string error);

    [LoggerMessage(EventId = 142, Level = LogLevel.Information, Message = "exiting; {Count} sandboxes left running for the next daemon")]
    private partial void LogKeptRunning(int count);
}
