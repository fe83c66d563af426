namespace Sandboxd.Isolation.Network;

/// <summary>How a relayed connection ended: bytes each way, the SNI seen, and the rule that cut it
/// short (null when it ended normally).</summary>
internal sealed record TunnelResult(long BytesUp, long BytesDown, string? Sni, string? DeniedBy);
