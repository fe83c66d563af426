using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Core.Orchestration;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Core.Api.Audit;

/// <summary>Between the audit library's types and sandbox.v1's messages. Requests are checked
/// here, so a bad filter is InvalidArgument naming the field rather than an empty answer.</summary>
public static class AuditMapping
{
    public static AuditQuery ToQuery(V1.AuditQueryRequest r, AuditCaller caller)
    {
        if (r.Limit is < 0 or > AuditQuery.MaxLimit)
            throw new InvalidFieldException("limit", $"must be 0 (default {AuditQuery.DefaultLimit}) to {AuditQuery.MaxLimit}");
        if (r.FromUnixMs < 0 || r.ToUnixMs < 0 || (r.ToUnixMs > 0 && r.ToUnixMs <= r.FromUnixMs))
            throw new InvalidFieldException("to_unix_ms", "the time range must be non-negative and end after it starts");
        return Filters(caller, r.SandboxId, r.ExecutionId, r.Tenant, r.Kinds, r.MinRisk, r.Text) with
        {
            From = r.FromUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(r.FromUnixMs) : null,
            To = r.ToUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(r.ToUnixMs) : null,
            Limit = r.Limit == 0 ? AuditQuery.DefaultLimit : r.Limit,
            PageToken = r.PageToken.Length > 0 ? r.PageToken : null,
        };
    }

    public static AuditQuery ToQuery(V1.AuditTailRequest r, AuditCaller caller) =>
        Filters(caller, r.SandboxId, r.ExecutionId, r.Tenant, r.Kinds, r.MinRisk, r.Text);

    public static V1.AuditQueryResponse ToProto(AuditQueryResult result)
    {
        var response = new V1.AuditQueryResponse { NextPageToken = result.NextPageToken ?? "" };
        response.Events.Add(result.Events.Select(ToProto));
        foreach (var tier in (ReadOnlySpan<AuditTiers>)[AuditTiers.Hot, AuditTiers.Warm, AuditTiers.Cold])
            if (result.Tiers.HasFlag(tier))
                response.Tiers.Add(tier.ToString().ToLowerInvariant());
        return response;
    }

    public static V1.AuditEvent ToProto(AuditEvent ev)
    {
        var message = new V1.AuditEvent
        {
            Id = ev.Id,
            Sequence = ev.Sequence,
            TimeUnixMs = ev.Time.ToUnixTimeMilliseconds(),
            Kind = (int)ev.Kind,
            KindName = Enum.IsDefined(ev.Kind) ? ev.Kind.ToString() : "",
            SandboxId = ev.SandboxId ?? "",
            ExecutionId = ev.ExecutionId ?? "",
            Tenant = ev.Tenant ?? "",
            Principal = ev.Principal ?? "",
            RequestId = ev.RequestId ?? "",
            TraceId = ev.TraceId ?? "",
            Risk = (int)ev.Risk,
            Version = ev.Version,
        };
        foreach (var (key, value) in ev.Attributes)
            message.Attributes[key] = value;
        return message;
    }

    public static V1.VerifyResponse ToProto(ColdVerifyResult result) => new()
    {
        Ok = result.Ok,
        BadSegment = result.BadSegment ?? 0,
        Reason = result.Reason ?? "",
        Segments = result.SegmentsChecked,
        File = result.File ?? "",
        HeadSegment = result.Head ?? 0,
    };

    public static V1.AuditStats ToProto(AuditPipelineStats s, int coldSegments, long hotEvents, long tailDropped, int tailSubscribers) => new()
    {
        Emitted = s.Emitted,
        Spilled = s.Spilled,
        Journaled = s.Journaled,
        WarmRows = s.WarmRows,
        ColdSegments = coldSegments,
        Sensitive = s.Sensitive,
        Replayed = s.Replayed,
        WarmErrors = s.WarmErrors,
        HotStreamErrors = s.HotStreamErrors,
        HotEvents = hotEvents,
        TailDropped = tailDropped,
        TailSubscribers = tailSubscribers,
        ColdSensitive = s.ColdSensitive,
        ColdDeferred = s.ColdDeferred,
    };

    private static AuditQuery Filters(AuditCaller caller, string sandbox, string execution, string tenant,
        IEnumerable<int> kinds, int minRisk, string text)
    {
        if (minRisk is < 0 or > (int)AuditRisk.Critical)
            throw new InvalidFieldException("min_risk", "must be 0 (none) to 4 (critical)");
        return new AuditQuery
        {
            Caller = caller,
            SandboxId = NullIfEmpty(sandbox),
            ExecutionId = NullIfEmpty(execution),
            Tenant = NullIfEmpty(tenant),
            Kinds = [.. kinds.Select(k => (AuditKind)k)],
            MinRisk = minRisk > 0 ? (AuditRisk)minRisk : null,
            Text = NullIfEmpty(text),
        };
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
