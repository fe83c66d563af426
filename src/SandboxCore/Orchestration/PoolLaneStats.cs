namespace Sandboxd.Core.Orchestration;

/// <summary>One lane of the warm pool as the Pools RPC and metrics read it. A hit is a create
/// of the lane's profile and image (no hostname, disk size or transparent network of its own)
/// that took a prepared sandbox; a miss, one that found the lane empty and launched afresh.</summary>
public sealed record PoolLaneStats(PoolKey Key, int Target, int Ready, long Hits, long Misses, string? LastError);
