using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sandboxd.Audit;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Core.Api.Audit;

namespace Sandboxd.Core.Hosting;

/// <summary>The daemon's audit pipeline (state dir/audit, optional Redis hot stream) and its API,
/// kept out of DaemonHost so the host stays a list of parts.</summary>
internal static class AuditWiring
{
    public static void AddAudit(this IServiceCollection services, DaemonOptions options)
    {
        services.AddSingleton(sp => new AuditPipeline(
            new AuditPipelineOptions { Directory = Path.Combine(options.StateDir, "audit"), RedisUrl = options.RedisUrl },
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IAuditSink>(sp => new CorrelatedAuditSink(sp.GetRequiredService<AuditPipeline>()));
    }

    /// <summary>Registers the Audit service, and closes the pipeline once the host has stopped:
    /// after ApplicationStopping destroyed the sandboxes, so their last events are written too.</summary>
    public static void UseAudit(this WebApplication app)
    {
        app.MapGrpcService<AuditService>();
        var pipeline = app.Services.GetRequiredService<AuditPipeline>();
        app.Lifetime.ApplicationStopped.Register(() => pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult());
    }
}
