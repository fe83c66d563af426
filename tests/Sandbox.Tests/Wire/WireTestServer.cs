using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sandboxd.Core.Api.Grpc;
using Xunit;

namespace Sandboxd.Tests.Wire;

/// <summary>A real Kestrel serving <see cref="TestSandboxesService"/> over HTTP/2 on a Unix socket
/// in a fresh temp directory, removed afterwards.</summary>
public sealed class WireTestServer : IAsyncLifetime
{
    private DirectoryInfo? _directory;
    private WebApplication? _app;

    internal TestSandboxesService Service { get; } = new();

    public string SocketPath { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("sbx-wire-");
        SocketPath = Path.Combine(_directory.FullName, "run", "sandboxd.sock");

        var registry = new GrpcServiceRegistry();
        Service.Register(registry);

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(
            new WebApplicationOptions { ContentRootPath = _directory.FullName });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton<GrpcDispatcher>();
        builder.WebHost.ConfigureKestrel(options => GrpcEndpoints.Configure(options, SocketPath));

        _app = builder.Build();
        _app.Run(_app.Services.GetRequiredService<GrpcDispatcher>().HandleAsync);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _directory?.Delete(recursive: true);
    }
}
