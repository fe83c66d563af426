namespace Sandboxd.Isolation.Network;

/// <summary>One domain rule: an exact name or "*.suffix". Matching is on normalised names
/// (lower case, no trailing dot) so "Allowed.Test." cannot slip past "allowed.test".</summary>
internal sealed class DomainPattern
{
    private readonly string _name;
    private readonly bool _wildcard;

    private DomainPattern(string text, string name, bool wildcard)
    {
        Text = text;
        _name = name;
        _wildcard = wildcard;
    }

    public string Text { get; }

    public static DomainPattern Parse(string text)
    {
        var wildcard = text.StartsWith("*.", StringComparison.Ordinal);
        var name = HostName.Normalize(wildcard ? text[2..] : text);
        if (name is null)
            throw new ArgumentException($"invalid domain pattern '{text}'", nameof(text));
        return new DomainPattern(text, wildcard ? "." + name : name, wildcard);
    }

    /// <summary>True when <paramref name="host"/> (already normalised) is covered.</summary>
    public bool Matches(string host) =>
        _wildcard ? host.EndsWith(_name, StringComparison.Ordinal) && host.Length > _name.Length
                  : string.Equals(host, _name, StringComparison.Ordinal);
}
