using Sandboxd.Api.V1;

namespace Sandboxd.Api.Client;

/// <summary>Typed calls of the Audit service. A tenant (the x-tenant header) sees only its own
/// events; without one, root on the Unix socket is the operator.</summary>
public sealed class AuditClient(SandboxdConnection connection, bool ownsConnection = true) : IDisposable
{
    public SandboxdConnection Connection => connection;

    public Audit.AuditClient Raw { get; } = new(connection.Channel);

    public static AuditClient ForUnixSocket(string path, string? tenant = null)
    {
        var connection = SandboxdConnection.ForUnixSocket(path);
        if (!string.IsNullOrEmpty(tenant))
            connection.Headers.Add(SandboxdConnection.TenantHeader, tenant);
        return new AuditClient(connection);
    }

    public Task<AuditQueryResponse> QueryAsync(AuditQueryRequest request, CancellationToken cancel = default) =>
        Raw.QueryAsync(request, connection.Options(null, cancel)).ResponseAsync;

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
        StreamCalls.ReadAllAsync(Raw.Tail(request, connection.Options(null, cancel)), cancel);

    public Task<VerifyResponse> VerifyAsync(CancellationToken cancel = default) =>
        Raw.VerifyAsync(new VerifyRequest(), connection.Options(null, cancel)).ResponseAsync;

    public Task<AuditStats> StatsAsync(CancellationToken cancel = default) =>
        Raw.StatsAsync(new AuditStatsRequest(), connection.Options(null, cancel)).ResponseAsync;

    public void Dispose()
    {
        if (ownsConnection)
            connection.Dispose();
    }
}
