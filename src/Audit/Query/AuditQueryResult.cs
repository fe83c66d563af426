using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Query;

/// <summary>One page, newest first, with the tiers that answered and the token for the next page
/// (null when this page is the last).</summary>
public sealed record AuditQueryResult(IReadOnlyList<AuditEvent> Events, AuditTiers Tiers, string? NextPageToken);
