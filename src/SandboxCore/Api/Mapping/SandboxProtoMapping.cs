using Sandboxd.Core.Orchestration;
using Sandboxd.Core.State;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Core.Api.Mapping;

/// <summary>Sandboxes and their events onto the wire's messages. The state and event numbers are
/// the same on both sides (a golden test holds them equal), so they map by number.</summary>
public static class SandboxProtoMapping
{
    public static V1.Sandbox ToProto(this SandboxView view)
    {
        var r = view.Record;
        var s = new V1.Sandbox
        {
            Id = r.Id, State = ToProto(r.State), Image = r.Image, Hostname = r.Hostname,
            CreatedUnixMs = r.CreatedUnixMs, StateChangedUnixMs = r.StateChangedUnixMs, StateCause = r.StateCause, InitPid = r.InitPid, Risk = r.Risk, Profile = r.Profile,
            // A pending answer is no sandbox yet: it has no limits of its own.
            Limits = r.State == SandboxState.PendingApproval
                ? null
                : new V1.Resources { MemoryBytes = r.Limits.MemoryBytes, Pids = r.Limits.Pids, Cpus = r.Limits.Cpus, DiskBytes = r.Limits.DiskBytes },
            DeadlineUnixMs = r.DeadlineUnixMs, IdleTimeoutMs = r.IdleTimeoutMs, ProposalId = r.ProposalId,
            LastActivityUnixMs = view.LastActivityUnixMs,
        };
        if (view.Network is { } network)
            s.Network = NetworkProtoMapping.ToProto(network.Network, network.Policy);
        foreach (var (k, v) in r.Labels)
            s.Labels[k] = v;
        if (view.Usage is { } usage)
        {
            s.Usage = new V1.SandboxUsage
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

    public static V1.SandboxState ToProto(SandboxState state) => (V1.SandboxState)(int)state;

    public static V1.SandboxEvent ToProto(this SandboxWatchEvent e) =>
        new() { Kind = (V1.SandboxEventKind)(int)e.Kind, Sandbox = e.Sandbox.ToProto(), RemainingMs = e.RemainingMs };

    public static CreateSandbox FromProto(this V1.CreateRequest r) => new()
    {
        Image = r.Image, Hostname = r.Hostname, Labels = new Dictionary<string, string>(r.Labels), Profile = r.Profile,
        Resources = r.Resources is { } res ? new ResourceRequest(res.MemoryBytes, res.Pids, res.Cpus, res.DiskBytes) : null,
        Network = r.Network is { } n ? NetworkProtoMapping.FromProto(n) : null,
        TtlMs = r.TtlMs, IdleTimeoutMs = r.IdleTimeoutMs,
        Overrides = r.Overrides is { } o ? SpecProtoMapping.FromProto(o) : null,
    };

    public static V1.CreateRequest ToProto(this CreateSandbox r)
    {
        var proto = new V1.CreateRequest
        {
            Image = r.Image, Hostname = r.Hostname, Profile = r.Profile, TtlMs = r.TtlMs, IdleTimeoutMs = r.IdleTimeoutMs,
            Resources = r.Resources is { } res
                ? new V1.Resources { MemoryBytes = res.MemoryBytes, Pids = res.Pids, Cpus = res.Cpus, DiskBytes = res.DiskBytes }
                : null,
            Network = r.Network is { } n ? NetworkProtoMapping.ToProto(n) : null,
            Overrides = r.Overrides is { } o ? SpecProtoMapping.ToProto(o) : null,
        };
        foreach (var (k, v) in r.Labels)
            proto.Labels[k] = v;
        return proto;
    }
}
