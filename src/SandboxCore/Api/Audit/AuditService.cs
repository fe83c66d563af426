using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Sandboxd.Api.V1;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;

namespace Sandboxd.Core.Api.Audit;

/// <summary>sandbox.v1.Audit: queries, live tails, chain verification and counters of the audit
/// pipeline. The caller (operator or one tenant) comes from the caller interceptor, and every
/// tier filters on it, so a tenant cannot see past its own events by any filter.</summary>
public sealed class AuditService(AuditPipeline pipeline, IHostApplicationLifetime lifetime) : Sandboxd.Api.V1.Audit.AuditBase
{
    // The tiers read SQLite and segment files: off the request thread.
    public override Task<AuditQueryResponse> Query(AuditQueryRequest request, ServerCallContext context) =>
        Task.Run(() => AuditMapping.ToProto(pipeline.Query(AuditMapping.ToQuery(request, context.Caller().Caller))),
            context.CancellationToken);

    public override Task<VerifyResponse> Verify(VerifyRequest request, ServerCallContext context) =>
        Task.Run(() => AuditMapping.ToProto(pipeline.Cold.Verify()), context.CancellationToken);

    public override Task<AuditStats> Stats(AuditStatsRequest request, ServerCallContext context) =>
        Task.FromResult(AuditMapping.ToProto(pipeline.Stats, pipeline.Cold.Segments.Count, pipeline.Hot.Count,
            pipeline.Hot.Tail.Dropped, pipeline.Hot.Tail.Subscribers));

    public override async Task Tail(AuditTailRequest request, IServerStreamWriter<Sandboxd.Api.V1.AuditEvent> responseStream, ServerCallContext context)
    {
        var query = AuditMapping.ToQuery(request, context.Caller().Caller);
        if (!query.TryGetEffectiveTenant(out string? tenant))
            return; // a tenant naming another tenant: nothing will ever match
        using var subscription = pipeline.SubscribeTail(ev => AuditQueryMatcher.Matches(query, tenant, null, ev));
        // A tail ends with the client or with the daemon; it must not hold shutdown for the grace period.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var ev in subscription.Events.ReadAllAsync(ended.Token).ConfigureAwait(false))
                await responseStream.WriteAsync(AuditMapping.ToProto(ev), ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Daemon stopping: end the stream with OK.
        }
    }
}
