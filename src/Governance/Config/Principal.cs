namespace Sandboxd.Governance.Config;

/// <summary>Someone who may call the daemon: known by a Unix uid or a bearer token (stored as the
/// SHA-256 of the token, lowercase hex). <paramref name="Person"/> is the human behind it: two
/// principals of one person are one voter and one proposer.</summary>
public sealed record Principal(string Name, string Person, IReadOnlyList<string> Roles, string Tenant,
    IReadOnlyList<int> Uids, IReadOnlyList<string> TokenSha256)
{
    public const string AdminRole = "admin";

    /// <summary>Admins see and act on every tenant's sandboxes, executions, events and proposals.</summary>
    public bool IsAdmin => Roles.Any(r => string.Equals(r, AdminRole, StringComparison.OrdinalIgnoreCase));
}
