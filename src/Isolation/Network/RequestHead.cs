using System.Text;

namespace Sandboxd.Isolation.Network;

/// <summary>An HTTP/1.1 request line and headers, read byte-exact from the client so that what
/// the policy checks is what gets forwarded.</summary>
internal sealed class RequestHead
{
    public const int MaxSize = 16 * 1024;

    private RequestHead(string method, string target, string version, List<KeyValuePair<string, string>> headers)
    {
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
    }

    public string Method { get; }

    public string Target { get; }

    public string Version { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>All values of a header (names compare case-insensitively).</summary>
    public IEnumerable<string> Values(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The length of the head including the blank line, or -1 while it is incomplete.</summary>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        var end = data.IndexOf("\r\n\r\n"u8);
        return end < 0 ? -1 : end + 4;
    }

    /// <summary>Parses a complete head; null when it is not well-formed HTTP/1.x.</summary>
    public static RequestHead? Parse(ReadOnlySpan<byte> head)
    {
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0
            || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            return null;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0)
                continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            // A name with spaces or an obsolete folded line is how request smuggling starts: refuse.
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAny(' ', '\t'))
                return null;
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        return new RequestHead(parts[0], parts[1], parts[2], headers);
    }
}
