namespace Sandboxd.Core.Network;

/// <summary>An egress policy as a request states it, unchecked (<see cref="EgressPolicyChecks"/>
/// checks each entry, naming it): empty ports mean 80 and 443, 0 connections 64, 0 bytes unlimited.</summary>
public sealed record EgressPolicyRequest
{
    public static EgressPolicyRequest Empty { get; } = new();

    public IReadOnlyList<string> AllowDomains { get; init; } = [];

    public IReadOnlyList<string> DenyDomains { get; init; } = [];

    public IReadOnlyList<string> AllowCidrs { get; init; } = [];

    public IReadOnlyList<uint> AllowPorts { get; init; } = [];

    public uint MaxConnections { get; init; }

    public ulong MaxTotalBytes { get; init; }

    public ulong MaxBytesPerSecond { get; init; }
}
