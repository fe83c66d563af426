using Sandboxd.Api.V1;

namespace Sandboxd.Core.State;

/// <summary>A sandbox as persisted. State numbers are the proto's (frozen).</summary>
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
    SandboxLimits Limits);

/// <summary>The limits a sandbox got, after the request's overrides of its profile's.</summary>
public sealed record SandboxLimits(long MemoryBytes, long Pids, double Cpus, long DiskBytes);
