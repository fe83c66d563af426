namespace Sandboxd.Governance.Approval;

/// <summary>A human reviewer from config: the unit of "N of M" and of "not your own proposal",
/// whatever number of principals (uids, tokens) they act through.</summary>
public sealed record Person(string Id, IReadOnlyList<string> Roles);
