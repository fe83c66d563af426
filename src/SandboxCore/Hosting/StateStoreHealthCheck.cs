using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sandboxd.Core.State;

namespace Sandboxd.Core.Hosting;

/// <summary>grpc.health.v1 answers SERVING only while the daemon can read its state store: a
/// daemon that cannot record sandboxes should not be sent any.</summary>
internal sealed class StateStoreHealthCheck(SqliteStateStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            store.Ping();
            return Task.FromResult(HealthCheckResult.Healthy());
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("state store: " + e.Message));
        }
    }
}
