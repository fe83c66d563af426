namespace Sandboxd.Isolation.Network;

/// <summary>What the proxy takes from a ClientHello.</summary>
/// <param name="Sni">The host_name of the server_name extension, or null when there is none. With
/// ECH this is the outer (public) name: the inner one is encrypted for the server.</param>
/// <param name="OffersTls13">supported_versions lists TLS 1.3, so the server may answer with a
/// HelloRetryRequest and a second ClientHello follow.</param>
internal readonly record struct ClientHelloInfo(string? Sni, bool OffersTls13);
