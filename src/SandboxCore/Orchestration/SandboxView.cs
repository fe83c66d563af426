using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Cgroups;
using EgressPolicy = Sandboxd.Isolation.Network.EgressPolicy;

namespace Sandboxd.Core.Orchestration;

/// <summary>A sandbox as the orchestrator answers for it: its record, plus what only a running
/// one has (the policy in force, its last activity, the cgroup's usage when asked). The API
/// layers map it onto their own messages.</summary>
public sealed record SandboxView(SandboxRecord Record)
{
    /// <summary>The network and the policy in force: a running sandbox's now (an update may have
    /// replaced the one it was created with), a stopped one's as recorded (what it resumes with);
    /// null when none is recorded.</summary>
    public (SandboxNetwork Network, EgressPolicy Policy)? Network { get; init; }

    /// <summary>Set by Get on a running sandbox.</summary>
    public CgroupUsage? Usage { get; init; }

    /// <summary>While it runs; 0 otherwise.</summary>
    public long LastActivityUnixMs { get; init; }

    public string Id => Record.Id;

    public SandboxState State => Record.State;

    public string Image => Record.Image;

    public string Hostname => Record.Hostname;

    public string Profile => Record.Profile;

    public IReadOnlyDictionary<string, string> Labels => Record.Labels;

    public SandboxLimits Limits => Record.Limits;

    public long CreatedUnixMs => Record.CreatedUnixMs;

    public long DeadlineUnixMs => Record.DeadlineUnixMs;

    public string ProposalId => Record.ProposalId;
}
