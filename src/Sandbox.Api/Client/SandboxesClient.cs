using Sandboxd.Api.V1;
using Sandboxd.Api.Wire;

namespace Sandboxd.Api.Client;

/// <summary>Typed calls of the Sandboxes service over a <see cref="GrpcConnection"/>.</summary>
public sealed class SandboxesClient(GrpcConnection connection) : IDisposable
{
    public const string Service = "/sandbox.v1.Sandboxes/";

    public static SandboxesClient ForUnixSocket(string path) => new(GrpcConnection.ForUnixSocket(path));

    public Task<Sandbox> CreateAsync(CreateRequest request, TimeSpan? deadline = null, CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "Create", request, Sandbox.Parser, deadline, cancel);

    public Task<Sandbox> GetAsync(string id, CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "Get", new GetRequest { Id = id }, Sandbox.Parser, null, cancel);

    public Task<ListResponse> ListAsync(CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "List", new ListRequest(), ListResponse.Parser, null, cancel);

    public IAsyncEnumerable<ExecuteResponse> ExecuteAsync(ExecuteRequest request, TimeSpan? deadline = null, CancellationToken cancel = default) =>
        connection.ServerStreamingAsync(Service + "Execute", request, ExecuteResponse.Parser, deadline, cancel);

    public Task<DestroyResponse> DestroyAsync(string id, CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "Destroy", new DestroyRequest { Id = id }, DestroyResponse.Parser, null, cancel);

    public Task<Sandbox> UpdateNetworkPolicyAsync(string sandboxId, EgressPolicy policy, CancellationToken cancel = default) =>
        connection.UnaryAsync(Service + "UpdateNetworkPolicy", new UpdateNetworkPolicyRequest { SandboxId = sandboxId, Policy = policy },
            Sandbox.Parser, null, cancel);

    public void Dispose() => connection.Dispose();
}
