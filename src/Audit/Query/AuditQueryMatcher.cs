using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Query;

/// <summary>The query as an in-memory predicate, for the tiers that are not SQL (hot ring, Redis,
/// cold segments). Must agree with the warm tier's SQL; the filter tests run both.</summary>
public static class AuditQueryMatcher
{
    public static bool Matches(AuditQuery q, string? effectiveTenant, PageCursor? before, AuditEvent ev)
    {
        if (effectiveTenant is not null && ev.Tenant != effectiveTenant)
            return false;
        if (!q.Caller.IsOperator && ev.Tenant != q.Caller.Tenant)
            return false;
        if (q.SandboxId is not null && ev.SandboxId != q.SandboxId)
            return false;
        if (q.ExecutionId is not null && ev.ExecutionId != q.ExecutionId)
            return false;
        if (q.Kinds is { Count: > 0 } kinds && !kinds.Contains(ev.Kind))
            return false;
        if (q.MinRisk is { } risk && ev.Risk < risk)
            return false;
        long t = ev.Time.UtcTicks;
        if ((q.From is { } from && t < from.UtcTicks) || (q.To is { } to && t >= to.UtcTicks))
            return false;
        if (before is { } cursor && !cursor.IsAfter(t, ev.Id))
            return false;
        return q.Text is null || ev.Attributes.Values.Any(v => v.Contains(q.Text, StringComparison.Ordinal));
    }
}
