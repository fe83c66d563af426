namespace Sandboxd.Isolation.Network;

/// <summary>Host-name hygiene shared by the policy and the proxy.</summary>
internal static class HostName
{
    /// <summary>Lower case without a trailing dot, or null when the text is not a plain DNS name
    /// (letters, digits, '-', '.'): anything else could mean one thing to the policy and another
    /// to a resolver.</summary>
    public static string? Normalize(string host)
    {
        var name = host.EndsWith('.') ? host[..^1] : host;
        if (name.Length is 0 or > 253)
            return null;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '.'))
                return null;
        }
        if (name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal))
            return null;
        return name.ToLowerInvariant();
    }
}
