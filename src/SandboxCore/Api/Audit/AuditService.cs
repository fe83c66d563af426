using Microsoft.Extensions.Hosting;
using Sandboxd.Api.V1;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Audit.Query;
using Sandboxd.Core.Api.Grpc;

namespace Sandboxd.Core.Api.Audit;

/// <summary>sandbox.v1.Audit: queries, live tails, chain verification and counters of the audit
/// pipeline. The caller (operator or one tenant) comes from <see cref="CallCorrelation"/>, and
/// every tier filters on it, so a tenant cannot see past its own events by any filter.</summary>
public sealed class AuditService(AuditPipeline pipeline, IHostApplicationLifetime lifetime)
{
    private const string Prefix = "/sandbox.v1.Audit/";

    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary<AuditQueryRequest, AuditQueryResponse>(Prefix + "Query", AuditQueryRequest.Parser,
            // The tiers read SQLite and segment files: off the request thread.
            (req, ctx) => Task.Run(() => Mapped(() => AuditMapping.ToProto(pipeline.Query(AuditMapping.ToQuery(req, Caller(ctx))))),
                ctx.CancellationToken))
        .AddServerStreaming<AuditTailRequest, Sandboxd.Api.V1.AuditEvent>(Prefix + "Tail", AuditTailRequest.Parser, TailAsync)
        .AddUnary<VerifyRequest, VerifyResponse>(Prefix + "Verify", VerifyRequest.Parser,
            (_, ctx) => Task.Run(() => AuditMapping.ToProto(pipeline.Cold.Verify()), ctx.CancellationToken))
        .AddUnary<AuditStatsRequest, AuditStats>(Prefix + "Stats", AuditStatsRequest.Parser,
            (_, _) => Task.FromResult(AuditMapping.ToProto(pipeline.Stats, pipeline.Cold.Segments.Count, pipeline.Hot.Count,
                pipeline.Hot.Tail.Dropped, pipeline.Hot.Tail.Subscribers)));

    private async Task TailAsync(AuditTailRequest req, IServerStreamWriter<Sandboxd.Api.V1.AuditEvent> writer, GrpcCallContext ctx)
    {
        var query = Mapped(() => AuditMapping.ToQuery(req, Caller(ctx)));
        if (!query.TryGetEffectiveTenant(out string? tenant))
            return; // a tenant naming another tenant: nothing will ever match
        using var subscription = pipeline.SubscribeTail(ev => AuditQueryMatcher.Matches(query, tenant, null, ev));
        // A tail ends with the client or with the daemon; it must not hold shutdown for the grace period.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(ctx.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var ev in subscription.Events.ReadAllAsync(ended.Token).ConfigureAwait(false))
                await writer.WriteAsync(AuditMapping.ToProto(ev)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Daemon stopping: end the stream with OK.
        }
    }

    private static AuditCaller Caller(GrpcCallContext ctx) => (CallCorrelation.Current ?? CallCorrelation.From(ctx)).Caller;

    private static T Mapped<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (ErrorMapping.ToRpc(e) is { } rpc)
        {
            throw rpc;
        }
    }
}
