using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Sandboxd.Audit.Pipeline;
using Sandboxd.Core.Api.Interceptors;
using Sandboxd.Core.Metrics;
using Sandboxd.Core.Orchestration;
using Sandboxd.Governance.Approval;

namespace Sandboxd.Core.Hosting;

/// <summary>The metrics and their endpoint, kept out of DaemonHost so the host stays a list of parts.
/// The counts are kept whether or not --metrics serves them: they cost an increment.</summary>
internal static class MetricsWiring
{
    public static void AddMetrics(this IServiceCollection services, DaemonOptions options)
    {
        services.AddSingleton<DaemonMetrics>();
        // gRPC takes a registered interceptor from the container: one instance, not one per call.
        services.AddSingleton<LatencyInterceptor>();
        services.TryAddSingleton<IPendingProposals, NoPendingProposals>();
        if (options.Metrics is { } address)
            services.AddHostedService(sp => new MetricsEndpoint(address, sp.GetRequiredService<DaemonMetrics>(),
                sp.GetRequiredService<ILogger<MetricsEndpoint>>()));
    }

    public static void UseMetrics(this WebApplication app) => ScrapeSources.Attach(app.Services.GetRequiredService<DaemonMetrics>(),
        app.Services.GetRequiredService<Orchestrator>(), app.Services.GetRequiredService<WarmPool>(),
        app.Services.GetRequiredService<AuditPipeline>(), app.Services.GetRequiredService<IPendingProposals>());
}
