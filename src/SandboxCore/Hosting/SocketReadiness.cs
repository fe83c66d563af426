using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Sandboxd.Core.Hosting;

/// <summary>The step between "Kestrel has bound the socket" and "the daemon is ready": the host
/// calls StartedAsync after every hosted service has started (the web server among them) and
/// before ApplicationStarted, on which systemd's lifetime sends READY=1. Here the socket gets its
/// mode and group, and a connect proves it accepts; a socket that does not fails the start, so
/// READY=1 is never sent for a daemon nobody can call.</summary>
internal sealed class SocketReadiness(string socketPath, string? group) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        GrpcEndpoints.SecureUnixSocket(socketPath, group);
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        probe.Connect(new UnixDomainSocketEndPoint(socketPath));
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
