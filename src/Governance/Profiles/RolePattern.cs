using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Profiles;

/// <summary>What a create without a profile takes for a caller of <see cref="Role"/>.</summary>
public sealed record RolePattern(string Role, string Profile, SpecOverrides Overrides);
