namespace Sandboxd.Isolation.Network;

/// <summary>A ClientHello read from the client: where its records end in the reader's buffer, and
/// what it says (null when its records were whole but the message is not a valid ClientHello).</summary>
internal readonly record struct HelloRead(HandshakeStatus Status, int End, ClientHelloInfo? Hello);
