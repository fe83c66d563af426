using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Api;
using Sandboxd.Core.Api.Grpc;
using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Hosting;

/// <summary>Wires the daemon: Kestrel (HTTP/2 only) on the Unix socket and optional TCP, the
/// gRPC dispatcher, the orchestrator and its stores.</summary>
public static class DaemonHost
{
    public static WebApplication Build(DaemonOptions options)
    {
        Directory.CreateDirectory(options.StateDir);
        Directory.CreateDirectory(options.RuntimeDir);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(k => GrpcEndpoints.Configure(k, options.Socket, options.Listen));

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new SqliteStateStore(Path.Combine(options.StateDir, "sandboxd.db")));
        services.AddSingleton(_ => new SandboxLauncher(options.StateDir, options.RuntimeDir, CgroupManagerFactory.Detect()));
        services.AddAudit(options);
        services.AddSingleton(sp => new WarmPool(sp.GetRequiredService<SandboxLauncher>(), sp.GetRequiredService<SqliteStateStore>(),
            sp.GetRequiredService<TimeProvider>(), options.WarmPool, sp.GetRequiredService<ILogger<WarmPool>>(),
            sp.GetRequiredService<SandboxNetworks>(), options.WarmEgress));
        services.AddEgressNetwork(options.Network);
        services.AddSingleton<Orchestrator>();
        services.AddSingleton<SandboxesService>();
        services.AddSingleton<GrpcServiceRegistry>();
        services.AddSingleton(new GrpcServerOptions { TcpToken = options.TcpToken });
        services.AddSingleton<GrpcDispatcher>();

        var app = builder.Build();
        var orchestrator = app.Services.GetRequiredService<Orchestrator>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("sandboxd");
        int swept = orchestrator.SweepLeftovers();
        if (swept > 0)
            DaemonLog.Swept(log, swept);
        // The launcher asked the kernel about the image's own filesystem, which preflight cannot know.
        if (app.Services.GetRequiredService<SandboxLauncher>().IdmapUnavailable is { } noIdmap)
            DaemonLog.NoIdmappedImage(log, noIdmap);
        var pool = app.Services.GetRequiredService<WarmPool>();
        app.Services.GetRequiredService<SandboxesService>().Register(app.Services.GetRequiredService<GrpcServiceRegistry>());
        app.UseAudit();
        app.Run(app.Services.GetRequiredService<GrpcDispatcher>().HandleAsync);

        var audit = app.Services.GetRequiredService<IAuditSink>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            audit.Emit(AuditKind.DaemonConfigLoaded, null, null, options.ToAuditAttributes());
            audit.Emit(AuditKind.DaemonStarted, null, null, new Dictionary<string, string> { ["socket"] = options.Socket });
            pool.Start();
            DaemonLog.Listening(log, options.Socket, options.Listen is null ? "" : "and " + options.Listen);
        });
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            audit.Emit(AuditKind.DaemonStopping, null, null);
            pool.Dispose();
            orchestrator.DestroyAll();
        });
        app.Lifetime.ApplicationStopped.Register(() => File.Delete(options.Socket));
        return app;
    }
}
