namespace Sandboxd.Isolation.Network;

/// <summary>The outcome of one policy check and the rule that decided it (it goes into the event).</summary>
public readonly record struct PolicyVerdict(bool Allowed, string Rule)
{
    public static PolicyVerdict Allow(string rule) => new(true, rule);

    public static PolicyVerdict Deny(string rule) => new(false, rule);
}
