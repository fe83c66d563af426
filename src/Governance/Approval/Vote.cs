namespace Sandboxd.Governance.Approval;

/// <summary>One reviewer's say, with their roles at the time and their reason.</summary>
public sealed record Vote(string Principal, string Person, IReadOnlyList<string> Roles, bool Approve, string Reason, DateTimeOffset At);
