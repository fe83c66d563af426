namespace Sandboxd.Governance.Approval;

/// <summary>Who calls, as the API layer resolved them: the principal (a uid or a token's subject),
/// the person behind it, their roles, and their tenant (null: an admin, who sees every tenant).</summary>
public sealed record Actor(string Principal, string Person, IReadOnlyList<string> Roles, string? Tenant)
{
    public bool Sees(string tenant) => Tenant is null || Tenant == tenant;
}
