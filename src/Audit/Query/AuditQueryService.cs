using Sandboxd.Audit.Events;
using Sandboxd.Audit.Tiers;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Audit.Tiers.Hot;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Query;

/// <summary>One query over every tier. Each tier returns its newest matches older than the page
/// cursor; the union is deduplicated by event id (tiers overlap on purpose), sorted newest first
/// and cut to the limit. A result names every tier that held one of the returned events.</summary>
public sealed class AuditQueryService(HotRing hot, IAuditStream? stream, WarmStore warm, ColdStore cold)
{
    /// <summary>How far back the shared Redis stream is scanned (it is the recent past only).</summary>
    public int StreamScan { get; init; } = 10_000;

    public AuditQueryResult Query(AuditQuery q)
    {
        if (!q.TryGetEffectiveTenant(out string? tenant))
            return new AuditQueryResult([], AuditTiers.None, null);
        var cursor = PageCursor.Decode(q.PageToken);
        int limit = q.EffectiveLimit;
        var found = new Dictionary<string, (AuditEvent Event, AuditTiers Tiers)>(StringComparer.Ordinal);
        void Add(IEnumerable<AuditEvent> events, AuditTiers tier)
        {
            foreach (var ev in events)
                found[ev.Id] = found.TryGetValue(ev.Id, out var seen) ? (seen.Event, seen.Tiers | tier) : (ev, tier);
        }

        Add(hot.Snapshot(q.SandboxId).Where(ev => AuditQueryMatcher.Matches(q, tenant, cursor, ev)), AuditTiers.Hot);
        if (stream is not null)
            Add(stream.ReadLatest(StreamScan).Where(ev => AuditQueryMatcher.Matches(q, tenant, cursor, ev)), AuditTiers.Hot);
        Add(warm.Query(q, tenant, cursor, limit), AuditTiers.Warm);
        Add(cold.Query(q, tenant, cursor, limit), AuditTiers.Cold);

        var page = found.Values
            .OrderByDescending(f => f.Event.Time.UtcTicks).ThenByDescending(f => f.Event.Id, StringComparer.Ordinal)
            .Take(limit).ToList();
        var tiers = page.Aggregate(AuditTiers.None, (all, f) => all | f.Tiers);
        string? next = page.Count == limit ? new PageCursor(page[^1].Event.Time.UtcTicks, page[^1].Event.Id).Encode() : null;
        return new AuditQueryResult([.. page.Select(f => f.Event)], tiers, next);
    }
}
