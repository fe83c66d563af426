using Sandboxd.Api.V1;
using Sandboxd.Api.Wire;

namespace Sandboxd.Api.Client;

/// <summary>Typed calls of the Audit service. A tenant (the x-tenant header) sees only its own
/// events; without one, root on the Unix socket is the operator.</summary>
public sealed class AuditClient(GrpcConnection connection) : IDisposable
{
    public const string Service = "/sandbox.v1.Audit/";
    public const string TenantHeader = "x-tenant";
    public const string TraceHeader = "x-trace-id";

    public static AuditClient ForUnixSocket(string path, string? tenant = null)
    {
        var connection = GrpcConnection.ForUnixSocket(path);
        if (!string.IsNullOrEmpty(tenant))
            connection.Metadata[TenantHeader] = tenant;
        return new AuditClient(connection);
    }

    public Task<AuditQueryResponse> QueryAsync(AuditQueryRequest request, CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "Query", request, AuditQueryResponse.Parser, null, cancel);

    /// <summary>Every matching event, page after page, newest first.</summary>
    public async IAsyncEnumerable<AuditEvent> QueryAllAsync(AuditQueryRequest request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel = default)
    {
        var page = request.Clone();
        while (true)
        {
            var response = await QueryAsync(page, cancel).ConfigureAwait(false);
            foreach (var ev in response.Events)
                yield return ev;
            if (response.NextPageToken.Length == 0)
                yield break;
            page.PageToken = response.NextPageToken;
        }
    }

    /// <summary>Events from now on; runs until cancelled or the daemon stops.</summary>
    public IAsyncEnumerable<AuditEvent> TailAsync(AuditTailRequest request, CancellationToken cancel = default) =>
        connection.ServerStreamingAsync(Service + "Tail", request, AuditEvent.Parser, null, cancel);

    public Task<VerifyResponse> VerifyAsync(CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "Verify", new VerifyRequest(), VerifyResponse.Parser, null, cancel);

    public Task<AuditStats> StatsAsync(CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "Stats", new AuditStatsRequest(), AuditStats.Parser, null, cancel);

    public void Dispose() => connection.Dispose();
}
