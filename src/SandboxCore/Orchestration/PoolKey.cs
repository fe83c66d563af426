namespace Sandboxd.Core.Orchestration;

/// <summary>What a prepared sandbox was made as: its profile, its image ("" = built-in) and
/// whether its egress network is already attached (under a deny-all policy).</summary>
public readonly record struct PoolKey(string Profile, string Image, bool Egress);
