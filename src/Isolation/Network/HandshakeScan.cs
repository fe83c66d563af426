namespace Sandboxd.Isolation.Network;

/// <summary>The result of <see cref="TlsRecords.ScanMessage"/>.</summary>
/// <param name="End">Where the records consumed end (Complete), or where the interrupting record starts.</param>
/// <param name="MessageLength">The whole message's length, header included (Complete only).</param>
internal readonly record struct HandshakeScan(HandshakeStatus Status, int End = 0, int MessageLength = 0);
