using Sandboxd.Api.V1;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Cgroups;

namespace Sandboxd.Core.Orchestration;

/// <summary>Records and usage onto the wire's messages.</summary>
public static class SandboxMapping
{
    /// <summary>A running sandbox: with its network and the policy in force now (an update may
    /// have replaced the one it was created with).</summary>
    public static Sandbox ToProto(LiveSandbox live, CgroupUsage? usage = null)
    {
        var sandbox = ToProto(live.Record, usage);
        sandbox.Network = live.Network.ToProto(live.Egress?.Policy ?? live.Network.Policy);
        sandbox.LastActivityUnixMs = live.LastActivityUnixMs;
        return sandbox;
    }

    public static Sandbox ToProto(SandboxRecord r, CgroupUsage? usage = null)
    {
        var s = new Sandbox
        {
            Id = r.Id, State = r.State, Image = r.Image, Hostname = r.Hostname,
            CreatedUnixMs = r.CreatedUnixMs, StateChangedUnixMs = r.StateChangedUnixMs, StateCause = r.StateCause, InitPid = r.InitPid, Risk = r.Risk, Profile = r.Profile,
            Limits = new Resources { MemoryBytes = r.Limits.MemoryBytes, Pids = r.Limits.Pids, Cpus = r.Limits.Cpus, DiskBytes = r.Limits.DiskBytes },
            DeadlineUnixMs = r.DeadlineUnixMs, IdleTimeoutMs = r.IdleTimeoutMs, ProposalId = r.ProposalId,
        };
        // A stopped sandbox's network comes from its record: the policy it will resume with.
        if (r.Network.Length > 0)
            s.Network = NetworkConfig.Parser.ParseFrom(r.Network);
        foreach (var (k, v) in r.Labels)
            s.Labels[k] = v;
        if (usage is not null)
        {
            s.Usage = new SandboxUsage
            {
                MemoryCurrentBytes = usage.MemoryCurrentBytes ?? 0,
                MemoryPeakBytes = usage.MemoryPeakBytes ?? 0,
                CpuUsageNs = usage.CpuUsageNanos ?? 0,
                PidsCurrent = usage.PidsCurrent ?? 0,
                OomKills = usage.OomKills ?? 0,
                PidsLimitHits = usage.PidsLimitHits ?? 0,
            };
        }
        return s;
    }
}
