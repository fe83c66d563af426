using Grpc.Core;
using Sandboxd.Api.V1;

namespace Sandboxd.Api.Client;

/// <summary>Typed calls of the Sandboxes service with the connection's headers on each.</summary>
public sealed class SandboxesClient(SandboxdConnection connection, bool ownsConnection = true) : IDisposable
{
    public SandboxdConnection Connection => connection;

    /// <summary>The generated client, for calls these wrappers do not cover.</summary>
    public Sandboxes.SandboxesClient Raw { get; } = new(connection.Channel);

    /// <summary>The SandboxLifecycle service on the same connection.</summary>
    public SandboxLifecycle.SandboxLifecycleClient Lifecycle { get; } = new(connection.Channel);

    /// <summary>The Governance service (profiles, risk, proposals) on the same connection.</summary>
    public Governance.GovernanceClient Governance { get; } = new(connection.Channel);

    public static SandboxesClient ForUnixSocket(string path) => new(SandboxdConnection.ForUnixSocket(path));

    public Task<Sandbox> CreateAsync(CreateRequest request, TimeSpan? deadline = null, CancellationToken cancel = default) =>
        Raw.CreateAsync(request, connection.Options(deadline, cancel)).ResponseAsync;

    public Task<Sandbox> GetAsync(string id, CancellationToken cancel = default) =>
        Raw.GetAsync(new GetRequest { Id = id }, connection.Options(null, cancel)).ResponseAsync;

    public Task<ListResponse> ListAsync(CancellationToken cancel = default) =>
        Raw.ListAsync(new ListRequest(), connection.Options(null, cancel)).ResponseAsync;

    /// <summary>Yields stdout/stderr chunks as they arrive, then the exit status. Leaving the loop
    /// early cancels the call, which kills the command.</summary>
    public IAsyncEnumerable<ExecuteResponse> ExecuteAsync(ExecuteRequest request, TimeSpan? deadline = null, CancellationToken cancel = default) =>
        StreamCalls.ReadAllAsync(Raw.Execute(request, connection.Options(deadline, cancel)), cancel);

    public Task<DestroyResponse> DestroyAsync(string id, CancellationToken cancel = default) =>
        Raw.DestroyAsync(new DestroyRequest { Id = id }, connection.Options(null, cancel)).ResponseAsync;

    public Task<Sandbox> UpdateNetworkPolicyAsync(string sandboxId, EgressPolicy policy, CancellationToken cancel = default) =>
        Raw.UpdateNetworkPolicyAsync(new UpdateNetworkPolicyRequest { SandboxId = sandboxId, Policy = policy },
            connection.Options(null, cancel)).ResponseAsync;

    public Task<Sandbox> StopAsync(string id, CancellationToken cancel = default) =>
        Lifecycle.StopAsync(new StopRequest { Id = id }, connection.Options(null, cancel)).ResponseAsync;

    public Task<Sandbox> ResumeAsync(string id, CancellationToken cancel = default) =>
        Lifecycle.ResumeAsync(new ResumeRequest { Id = id }, connection.Options(null, cancel)).ResponseAsync;

    public Task<Sandbox> ExtendTtlAsync(string id, TimeSpan by, CancellationToken cancel = default) =>
        Lifecycle.ExtendTtlAsync(new ExtendTtlRequest { Id = id, ExtendMs = (ulong)by.TotalMilliseconds }, connection.Options(null, cancel)).ResponseAsync;

    public Task<Sandbox> PauseAsync(string id, CancellationToken cancel = default) =>
        Lifecycle.PauseAsync(new PauseRequest { Id = id }, connection.Options(null, cancel)).ResponseAsync;

    public Task<Sandbox> UnpauseAsync(string id, CancellationToken cancel = default) =>
        Lifecycle.UnpauseAsync(new UnpauseRequest { Id = id }, connection.Options(null, cancel)).ResponseAsync;

    public void Dispose()
    {
        if (ownsConnection)
            connection.Dispose();
    }
}
