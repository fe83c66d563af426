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
using Sandboxd.Core.Orchestration;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.E2b;

/// <summary>--e2b-listen: a Kestrel server of its own in the daemon (HTTP/1.1, as E2B's SDKs
/// speak over http://), serving the control plane and every sandbox's envd on one address. It
/// shares the daemon's orchestrator and config, and nothing of the gRPC listeners: their
/// routes are not reachable here, nor these there.</summary>
public sealed partial class E2bServer(IServiceProvider daemon, string listen) : IHostedService
{
    private WebApplication? _app;

    public static void AddTo(IServiceCollection services, string? listen)
    {
        if (!string.IsNullOrEmpty(listen))
            services.AddHostedService(sp => new E2bServer(sp, listen));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (address, port) = Parse(listen);
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
            k.Listen(address, port, l => l.Protocols = HttpProtocols.Http1);
        });
        var services = builder.Services;
        services.AddSingleton(daemon.GetRequiredService<Orchestrator>());
        services.AddSingleton(daemon.GetRequiredService<TimeProvider>());
        services.AddSingleton(new E2bCallers(daemon.GetRequiredService<ConfigHolder>(), daemon.GetRequiredService<ApiOptions>(),
            IPAddress.IsLoopback(address)));
        services.AddSingleton<E2bGrants>();
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
        LogListening(log, listen, callers.AnyKeyIsRoot ? "any X-API-KEY is root (no config, loopback)" : "X-API-KEY must be a principal's token");
        if (!IPAddress.IsLoopback(address))
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

    /// <summary>"ADDR:PORT" as --listen takes it (127.0.0.1:3000, [::1]:3000, localhost:3000).</summary>
    public static (IPAddress Address, int Port) Parse(string addressAndPort)
    {
        int colon = addressAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(addressAndPort.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
            throw new FormatException($"--e2b-listen '{addressAndPort}' is not ADDR:PORT");
        string host = addressAndPort[..colon].Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            return (IPAddress.Loopback, port);
        return IPAddress.TryParse(host, out var address)
            ? (address, port)
            : throw new FormatException($"--e2b-listen: '{host}' is not an IP address or localhost");
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "E2B API on http://{Listen} ({Auth})")]
    private static partial void LogListening(ILogger log, string listen, string auth);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "E2B API on {Listen} is cleartext HTTP off loopback: keep it on a trusted network")]
    private static partial void LogCleartext(ILogger log, string listen);
}
