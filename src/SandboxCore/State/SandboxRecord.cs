using Sandboxd.Api.V1;

namespace Sandboxd.Core.State;

/// <summary>A sandbox as persisted. State numbers are the proto's (frozen). StateChangedUnixMs and
/// StateCause: when the current state was entered, and why.</summary>
public sealed record SandboxRecord(
    string Id,
    SandboxState State,
    string Image,
    string Hostname,
    long CreatedUnixMs,
    int InitPid,
    string Risk,
    IReadOnlyDictionary<string, string> Labels,
    string Profile,
    SandboxLimits Limits,
    long StateChangedUnixMs = 0,
    string StateCause = "")
{
    /// <summary>The tenant of the principal that created it; only that tenant (and admins) see it.</summary>
    public string Tenant { get; init; } = "default";

    /// <summary>The network config and policy in force when it last ran (proto bytes of
    /// NetworkConfig), so a resume gets them back; empty = none recorded.</summary>
    public byte[] Network { get; init; } = [];

    /// <summary>The first host id of its user-namespace range: a stopped sandbox's files are owned
    /// by those ids, so it keeps the range until destroyed. Null without a user namespace.</summary>
    public uint? IdRangeBase { get; init; }

    /// <summary>When the TTL destroys it (unix ms); 0 = no TTL.</summary>
    public long DeadlineUnixMs { get; init; }

    /// <summary>Idle time after which it is stopped (ms); 0 = never.</summary>
    public long IdleTimeoutMs { get; init; }

    /// <summary>The approved proposal whose one use created it; empty when none was needed.</summary>
    public string ProposalId { get; init; } = "";

    /// <summary>How its isolation differs from <see cref="Profile"/>'s, so that a resume keeps it.</summary>
    public ProfileOverrides ProfileOverrides { get; init; } = ProfileOverrides.None;
}
