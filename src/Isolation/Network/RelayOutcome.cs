namespace Sandboxd.Isolation.Network;

/// <summary>Bytes the relay delivered each way, and whether it ended on the total-bytes limit.</summary>
internal readonly record struct RelayOutcome(long Up, long Down, bool OverTotal);
