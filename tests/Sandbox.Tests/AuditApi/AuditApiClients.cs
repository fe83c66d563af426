using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Grpc.Core;
using Sandboxd.Tests.Support;

namespace Sandboxd.Tests.AuditApi;

/// <summary>Clients of one daemon that call as a given tenant and trace id (request headers).</summary>
internal static class AuditApiClients
{
    public static SandboxesClient Sandboxes(DaemonProcess daemon, string? tenant = null, string? traceId = null)
    {
        var connection = SandboxdConnection.ForUnixSocket(daemon.Socket);
        if (tenant is not null)
            connection.Headers.Add(SandboxdConnection.TenantHeader, tenant);
        if (traceId is not null)
            connection.Headers.Add(SandboxdConnection.TraceHeader, traceId);
        return new SandboxesClient(connection);
    }

    /// <summary>No tenant: root on the Unix socket, the operator.</summary>
    public static AuditClient Audit(DaemonProcess daemon, string? tenant = null) => AuditClient.ForUnixSocket(daemon.Socket, tenant);

    public static async Task<List<AuditEvent>> ForSandboxAsync(this AuditClient audit, string sandboxId, params int[] kinds)
    {
        var request = new AuditQueryRequest { SandboxId = sandboxId };
        request.Kinds.Add(kinds);
        return (await audit.QueryAsync(request)).Events.ToList();
    }

    public static async Task WaitForTailSubscriberAsync(this AuditClient audit)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await audit.StatsAsync()).TailSubscribers == 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the tail never subscribed");
            await Task.Delay(20);
        }
    }

    /// <summary>The first event of <paramref name="kind"/> for the sandbox that <paramref name="match"/>
    /// accepts, waited for: the proxy reports an allowed connection when it closes, a moment after
    /// the client inside exited.</summary>
    public static async Task<AuditEvent> WaitForEventAsync(this AuditClient audit, string sandboxId, int kind,
        Func<AuditEvent, bool>? match = null)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            if ((await audit.ForSandboxAsync(sandboxId, kind)).FirstOrDefault(e => match?.Invoke(e) ?? true) is { } ev)
                return ev;
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException($"no matching audit event of kind {kind} for {sandboxId}");
            await Task.Delay(50);
        }
    }
}
