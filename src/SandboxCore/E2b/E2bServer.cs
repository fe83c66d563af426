using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sandboxd.Core.Api;
using Sandboxd.Core.E2b.ControlPlane;
using Sandboxd.Core.E2b.Envd;
using Sandboxd.Core.Hosting;
using Sandboxd.Core.Orchestration;
using Sandboxd.Governance.Config;
using Sandboxd.Isolation.Images;

namespace Sandboxd.Core.E2b;

/// <summary>--e2b-listen: a Kestrel server of its own in the daemon (HTTP/1.1, as E2B's SDKs
/// speak over http://; HTTPS with the daemon's --tls-cert), serving the control plane and every sandbox's envd on one address. It
/// shares the daemon's orchestrator and config, and nothing of the gRPC listeners: their
/// routes are not reachable here, nor these there.</summary>
public sealed partial class E2bServer(IServiceProvider daemon, string listen, TcpTls? tls) : IHostedService
{
    private WebApplication? _app;

    /// <param name="tls">--tls-cert's: HTTPS (HTTP/1.1 and h2 by ALPN, client certificates as
    /// --tls-client-ca says), as on the gRPC TCP listener; null: cleartext HTTP/1.1.</param>
    public static void AddTo(IServiceCollection services, string? listen, TcpTls? tls)
    {
        if (!string.IsNullOrEmpty(listen))
            services.AddHostedService(sp => new E2bServer(sp, listen, tls));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = ListenAddress.Parse(listen);
        bool loopback = address.IsLocalhost || IPAddress.IsLoopback(address.Address!);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        foreach (var provider in daemon.GetServices<ILoggerProvider>())
            builder.Logging.AddProvider(provider);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The daemon's own host already says it started and where.
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            address.Listen(k, tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2, l => tls?.Apply(l));
        });
        var services = builder.Services;
        services.AddSingleton(daemon.GetRequiredService<Orchestrator>());
        services.AddSingleton(daemon.GetRequiredService<TimeProvider>());
        services.AddSingleton(new E2bCallers(daemon.GetRequiredService<ConfigHolder>(), daemon.GetRequiredService<ApiOptions>(),
            loopback));
        services.AddSingleton<E2bGrants>();
        services.AddSingleton(new E2bTemplates(daemon.GetRequiredService<ConfigHolder>(), daemon.GetRequiredService<ImageStore>()));
        services.AddSingleton<E2bControlPlane>();
        services.AddSingleton<EnvdProcess>();
        services.AddSingleton<EnvdFilesystem>();
        services.AddSingleton<EnvdWatchers>();
        services.AddSingleton<EnvdFilesHttp>();
        var app = builder.Build();
        ControlPlaneRoutes.Map(app);
        EnvdRoutes.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var log = daemon.GetRequiredService<ILoggerFactory>().CreateLogger("sandboxd.e2b");
        var callers = app.Services.GetRequiredService<E2bCallers>();
        LogListening(log, tls is null ? "http" : "https", listen, callers.AnyKeyIsRoot ? "any X-API-KEY is root (no config, loopback)" : "X-API-KEY must be a principal's token");
        if (!loopback && tls is null)
            LogCleartext(log, listen);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "E2B API on {Scheme}://{Listen} ({Auth})")]
    private static partial void LogListening(ILogger log, string scheme, string listen, string auth);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "E2B API on {Listen} is cleartext HTTP off loopback: keep it on a trusted network")]
    private static partial void LogCleartext(ILogger log, string listen);
}
