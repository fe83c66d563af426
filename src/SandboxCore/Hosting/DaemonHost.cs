using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Api;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Grpc.AspNetCore.Server.Model;
using Sandboxd.Core.Api.Binding;
using Sandboxd.Core.Api.Interceptors;
using Sandboxd.Core.Metrics;
using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.State;
using Sandboxd.Governance.Config;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Images;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Hosting;

/// <summary>Wires the daemon: Kestrel (HTTP/2 only) on the Unix socket and optional TCP, the
/// gRPC services (with health and reflection), the orchestrator and its stores.</summary>
public static class DaemonHost
{
    public static WebApplication Build(DaemonOptions options, ConfigHolder config)
    {
        Directory.CreateDirectory(options.StateDir);
        Directory.CreateDirectory(options.RuntimeDir);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.JsonLogs)
            builder.Logging.AddProvider(new JsonLineLoggerProvider(Console.OpenStandardOutput()));
        else
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(k => GrpcEndpoints.Configure(k, options.Socket, options.Listen, options.Tls));
        // Under systemd (Type=notify): READY=1 once the socket serves (SocketReadiness), STOPPING=1 on SIGTERM.
        builder.Services.AddSystemd();
        builder.Services.AddHostedService(_ => new SocketReadiness(options.Socket, config.Current.SocketGroup));

        var services = builder.Services;
        services.AddSingleton(TestClock.FromEnvironment() ?? TimeProvider.System);
        services.AddSingleton(options.Lifecycle);
        services.AddSingleton<SandboxWatchers>();
        services.AddSingleton<IStoredForms, Sandboxd.Core.Api.Mapping.ProtoStoredForms>();
        services.AddSingleton(config);
        services.AddSingleton(_ => new SqliteStateStore(Path.Combine(options.StateDir, "sandboxd.db")));
        services.AddSingleton(_ => new SandboxLauncher(options.StateDir, options.RuntimeDir, CgroupManagerFactory.Detect()));
        services.AddAudit(options);
        services.AddMetrics(options);
        services.AddSingleton(_ => new ImageStore(options.StateDir));
        services.AddSingleton(sp => new WarmPool(sp.GetRequiredService<SandboxLauncher>(), sp.GetRequiredService<SqliteStateStore>(),
            sp.GetRequiredService<TimeProvider>(), options.WarmPool, sp.GetRequiredService<ILogger<WarmPool>>(),
            sp.GetRequiredService<SandboxNetworks>(), options.WarmEgress, sp.GetRequiredService<ImageStore>()));
        services.AddEgressNetwork(options.Network);
        services.AddSingleton<SandboxOwners>();
        services.AddSingleton<Admission>();
        services.AddGovernance(options.StateDir);
        services.AddSingleton<Orchestrator>();
        services.AddSingleton(sp => new StageTimings(options.StageTimings, sp.GetRequiredService<ILogger<StageTimings>>()));
        services.AddSingleton(new ApiOptions { TcpToken = options.TcpToken });
        services.AddGrpc(grpc =>
        {
            // Latency is timed outermost, with the status code every other interceptor settled on.
            grpc.Interceptors.Add<LatencyInterceptor>();
            // The error interceptor is next, so it sees the caller interceptor's refusals too.
            grpc.Interceptors.Add<ErrorInterceptor>();
            grpc.Interceptors.Add<CallerInterceptor>();
            grpc.MaxReceiveMessageSize = ApiLimits.MaxMessageBytes;
            grpc.MaxSendMessageSize = ApiLimits.MaxMessageBytes;
            // Unknown services and methods fall through to UnknownMethodEndpoint, which names them.
            grpc.IgnoreUnknownServices = true;
        });
        services.RemoveAll(typeof(IServiceMethodProvider<>));
        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(StrictMessageMethodProvider<>));
        services.AddGrpcReflection();
        E2b.E2bServer.AddTo(services, options.E2bListen, options.Tls);
        services.AddGrpcHealthChecks().AddCheck<StateStoreHealthCheck>("state-store");

        var app = builder.Build();
        var orchestrator = app.Services.GetRequiredService<Orchestrator>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("sandboxd");
        LogCgroupMode(log, options);
        int swept = orchestrator.SweepLeftovers();
        if (swept > 0)
            DaemonLog.Swept(log, swept);
        // The launcher asked the kernel about the image's own filesystem, which preflight cannot know.
        if (app.Services.GetRequiredService<SandboxLauncher>().IdmapUnavailable is { } noIdmap)
            DaemonLog.NoIdmappedImage(log, noIdmap);
        if (app.Services.GetRequiredService<ImageStore>().SweepLeftovers() is > 0 and var cut)
            DaemonLog.ImportsSwept(log, cut);
        var pool = app.Services.GetRequiredService<WarmPool>();
        pool.Configure(config.Current.Pools);
        config.Reloaded += c => pool.Configure(c.Pools);
        app.MapGrpcService<SandboxesService>();
        app.MapGrpcService<FilesService>();
        app.MapGrpcService<ExecutionsService>();
        app.MapGrpcService<SandboxLifecycleService>();
        app.MapGrpcService<ImagesService>();
        app.MapGrpcService<PoolsService>();
        app.MapGrpcService<GovernanceService>();
        app.UseAudit();
        app.UseMetrics();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapUnknownMethods();

        var audit = app.Services.GetRequiredService<IAuditSink>();
        var reload = ConfigReload.OnSighup(config, log);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            audit.Emit(AuditKind.DaemonConfigLoaded, null, null, options.ToAuditAttributes());
            audit.Emit(AuditKind.DaemonStarted, null, null, new Dictionary<string, string> { ["socket"] = options.Socket });
            pool.Start();
            orchestrator.StartTimers();
            StartGovernance(app.Services, orchestrator);
            DaemonLog.Listening(log, options.Socket, options.Listen is null ? "" : "and " + options.Listen);
        });
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            audit.Emit(AuditKind.DaemonStopping, null, null);
            reload.Dispose();
            pool.Dispose();
            orchestrator.Exit();
        });
        app.Lifetime.ApplicationStopped.Register(() => File.Delete(options.Socket));
        return app;
    }

    /// <summary>Expiry on a timer, and the creates of approvals decided before a restart.</summary>
    private static void StartGovernance(IServiceProvider services, Orchestrator orchestrator)
    {
        orchestrator.Governance.Start(services.GetRequiredService<TimeProvider>());
        _ = Task.Run(orchestrator.ResumeApprovedAsync);
    }

    /// <summary>Before the warm pool fills: its joins are the first to gain. With
    /// --no-favordynmods the host's mode is only reported.</summary>
    private static void LogCgroupMode(ILogger log, DaemonOptions options)
    {
        var state = options.FavorDynMods ? FavorDynMods.Apply() : FavorDynMods.Read();
        if (state.Status == FavorDynModsStatus.On)
            DaemonLog.CgroupMode(log, state.Detail);
        else
            DaemonLog.CgroupModeOff(log, options.FavorDynMods ? state.Detail : state.Detail + " (--no-favordynmods)");
    }
}
