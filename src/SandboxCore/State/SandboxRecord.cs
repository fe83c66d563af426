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
}
