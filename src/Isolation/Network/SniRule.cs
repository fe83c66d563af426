namespace Sandboxd.Isolation.Network;

/// <summary>Whether a ClientHello may open a tunnel to the name the client asked the proxy for.
/// For a name, the hello must carry exactly that name: a hello without SNI would let a shared
/// front (a CDN) pick its default site, and a different SNI is domain fronting. With ECH the
/// outer name is the one judged, which is also the server the connection really reaches; the
/// inner name is encrypted for that server, so allowing an ECH provider's public name allows the
/// names behind it. For an IP literal the hello must carry no name (a name there is fronting too).</summary>
internal static class SniRule
{
    /// <summary>The rule that refuses, or null.</summary>
    /// <param name="expectedHost">The normalized name, or "" for an IP literal.</param>
    /// <param name="retry">The hello is the second one, after a HelloRetryRequest.</param>
    public static string? Refusal(HelloRead read, string expectedHost, bool retry)
    {
        var rule = read.Status switch
        {
            HandshakeStatus.Complete when read.Hello is { } hello => MismatchOf(hello.Sni, expectedHost),
            HandshakeStatus.TooLarge => "tls-client-hello-too-large",
            HandshakeStatus.TooManyRecords => "tls-client-hello-too-many-records",
            HandshakeStatus.TimedOut => "tls-client-hello-timeout",
            _ => "tls-malformed-client-hello",
        };
        return rule is not null && retry ? rule + ":second-hello" : rule;
    }

    private static string? MismatchOf(string? sni, string expectedHost)
    {
        if (sni is null)
            return expectedHost.Length == 0 ? null : "tls-no-sni";
        return string.Equals(HostName.Normalize(sni), expectedHost, StringComparison.Ordinal) ? null : "sni-mismatch";
    }
}
