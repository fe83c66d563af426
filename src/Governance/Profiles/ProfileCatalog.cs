using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Profiles;

/// <summary>The built-ins plus the profile files of a directory, and the role patterns; turns a
/// create (a profile name or none, the caller's roles, overrides) into the merged spec.</summary>
public sealed class ProfileCatalog
{
    private readonly Dictionary<string, GovernanceProfile> _profiles;
    private readonly IReadOnlyList<RolePattern> _patterns;

    private ProfileCatalog(Dictionary<string, GovernanceProfile> profiles, IReadOnlyList<RolePattern> patterns)
    {
        _profiles = profiles;
        _patterns = patterns;
    }

    public static ProfileCatalog Builtin { get; } = Create(null, []);

    public IEnumerable<GovernanceProfile> Profiles => _profiles.Values.OrderBy(p => p.Name, StringComparer.Ordinal);

    public IReadOnlyList<RolePattern> Patterns => _patterns;

    /// <summary>Reads every *.yaml of <paramref name="directory"/> (null: built-ins only) in name
    /// order, so a file may extend one sorted before it. A bad file fails the whole load
    /// (<see cref="ProfileFileException"/>): a catalog is never half-read.</summary>
    public static ProfileCatalog Create(string? directory, IReadOnlyList<RolePattern> patterns)
    {
        var profiles = BuiltinProfiles.All.ToDictionary(p => p.Name, StringComparer.Ordinal);
        IEnumerable<string> files = directory is null ? [] : Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var profile = ProfileYaml.LoadFile(file, name => profiles.GetValueOrDefault(name));
            if (profiles.TryGetValue(profile.Name, out var existing))
                throw new ProfileFileException(file, "name", 1,
                    $"profile '{profile.Name}' is already defined by {existing.Source ?? "the built-ins"}");
            profiles[profile.Name] = profile;
        }

        foreach (var pattern in patterns)
            if (!profiles.ContainsKey(pattern.Profile))
                throw new GovernanceException(GovernanceError.UnknownProfile, $"pattern for role {pattern.Role}: no profile '{pattern.Profile}'");
        return new ProfileCatalog(profiles, patterns);
    }

    public GovernanceProfile? Find(string name) => _profiles.GetValueOrDefault(name);

    /// <summary>Profile named, else the first of the caller's roles with a pattern, else "low";
    /// then the pattern's overrides (when it was used), then the create's.</summary>
    public RequestSpec Resolve(string? profileName, IReadOnlyList<string> roles, SpecOverrides overrides)
    {
        var pattern = profileName is null ? roles.Select(r => _patterns.FirstOrDefault(p => p.Role == r)).OfType<RolePattern>().FirstOrDefault() : null;
        var name = profileName ?? pattern?.Profile ?? BuiltinProfiles.Low.Name;
        var profile = Find(name) ?? throw new GovernanceException(GovernanceError.UnknownProfile,
            $"profile: no profile '{name}' (known: {string.Join(", ", _profiles.Keys.Order(StringComparer.Ordinal))})");
        var spec = profile.Spec;
        if (pattern is not null)
            spec = pattern.Overrides.ApplyTo(spec);
        return overrides.ApplyTo(spec);
    }
}
