namespace Sandboxd.Core.Orchestration;

/// <summary>A warm pool's takes (hits), creates that found it empty (misses) and ready sandboxes,
/// for the plain pool and the egress one.</summary>
public readonly record struct WarmPoolStats(long Hits, long Misses, int Ready, long EgressHits, long EgressMisses, int EgressReady);
