using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Query;

/// <summary>A filter over every tier. Unset fields do not filter. Results come newest first.</summary>
public sealed record AuditQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    public required AuditCaller Caller { get; init; }

    public string? SandboxId { get; init; }

    public string? ExecutionId { get; init; }

    /// <summary>For the operator, selects one tenant; for a tenant caller, must be empty or its own.</summary>
    public string? Tenant { get; init; }

    public IReadOnlyList<AuditKind>? Kinds { get; init; }

    /// <summary>At least this risk.</summary>
    public AuditRisk? MinRisk { get; init; }

    /// <summary>Inclusive.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Case-sensitive substring of any attribute value (argv, path, destination...).</summary>
    public string? Text { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    /// <summary>From a previous result's <see cref="AuditQueryResult.NextPageToken"/>.</summary>
    public string? PageToken { get; init; }

    /// <summary>The tenant every tier must filter on, or null for all; false when the caller asked
    /// for a tenant it may not see (then nothing matches).</summary>
    public bool TryGetEffectiveTenant(out string? tenant)
    {
        tenant = Caller.IsOperator ? Tenant : Caller.Tenant;
        return Caller.IsOperator || Tenant is null || Tenant == Caller.Tenant;
    }

    internal int EffectiveLimit => Math.Clamp(Limit, 1, MaxLimit);
}
