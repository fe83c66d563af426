namespace Sandboxd.Isolation.Network;

/// <summary>One proxy decision: recorded for every attempt, allowed or not. For an allowed
/// connection it is recorded when the connection ends, with the bytes and duration.</summary>
/// <param name="Protocol">"connect", "http" or "socks5".</param>
/// <param name="Destination">The name (or literal) the sandbox asked for.</param>
/// <param name="ResolvedAddress">The address connected to, or null when refused before lookup.</param>
/// <param name="Sni">The TLS ClientHello's server name when the tunnel carried one.</param>
/// <param name="Rule">The rule that decided, e.g. "allowed-domain:*.example.com", "sni-mismatch".</param>
/// <param name="BytesUp">Sandbox → destination.</param>
/// <param name="BytesDown">Destination → sandbox.</param>
public sealed record NetworkDecision(
    string SandboxId,
    string Protocol,
    string Destination,
    string? ResolvedAddress,
    int Port,
    string? Sni,
    string Rule,
    bool Allowed,
    long BytesUp,
    long BytesDown,
    TimeSpan Duration,
    DateTimeOffset Time);
