using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Sandboxd.Core.Hosting;

namespace Sandboxd.Core.Metrics;

/// <summary>GET /metrics in Prometheus' text format on its own small HTTP/1.1 server, apart from
/// the gRPC one: the API's Kestrel takes HTTP/2 only, and an address that cannot be bound here
/// (a port another program holds) must not keep the daemon from serving its socket. So a failed
/// bind is logged as an error and the daemon goes on without metrics; nothing retries it.</summary>
public sealed partial class MetricsEndpoint(ListenAddress address, DaemonMetrics metrics, ILogger<MetricsEndpoint> log) : IHostedService, IAsyncDisposable
{
    private WebApplication? _server;

    /// <summary>"http://127.0.0.1:9464/metrics" once serving (the port the kernel chose for port 0).</summary>
    public string? Url { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            address.Listen(k, HttpProtocols.Http1);
        });
        builder.Services.AddRouting();
        // This server's host must not take SIGTERM or Ctrl+C for itself: the daemon's host owns them.
        builder.Services.AddSingleton<IHostLifetime, InertLifetime>();
        var server = builder.Build();
        server.MapMetrics("/metrics", metrics.Registry);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            LogNotServed(address.ToString(), e.Message);
            await server.DisposeAsync().ConfigureAwait(false);
            return;
        }
        _server = server;
        var bound = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Url = (bound ?? "http://" + address) + "/metrics";
        LogServing(Url);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
            await server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
            await server.DisposeAsync().ConfigureAwait(false);
        _server = null;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "metrics on {Url}")]
    private partial void LogServing(string url);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error,
        Message = "metrics not served on {Address}: {Error}; sandboxd goes on without them (free the port or pick another --metrics)")]
    private partial void LogNotServed(string address, string error);

    private sealed class InertLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
