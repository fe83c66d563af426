namespace Sandboxd.Governance.Risk;

/// <summary>The thresholds the rules read, from config.</summary>
/// <param name="TrustedImages">Null: no trusted set is configured, so no image is flagged.</param>
/// <param name="ManyDomains">An allowlist longer than this is as good as open.</param>
/// <param name="LongTtl">A sandbox meant to live longer than this (or forever) is flagged.</param>
/// <param name="SafeSeccompProfiles">Filters that are not relaxed; any other name is.</param>
public sealed record RiskPolicy(IReadOnlySet<string>? TrustedImages, int ManyDomains, TimeSpan LongTtl, IReadOnlySet<string> SafeSeccompProfiles)
{
    public static RiskPolicy Default { get; } = new(null, 10, TimeSpan.FromHours(24), new HashSet<string>(["default", "strict"], StringComparer.Ordinal));
}
