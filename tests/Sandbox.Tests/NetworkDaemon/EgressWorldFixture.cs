using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>The <see cref="EgressWorld"/> of <see cref="EgressWorldCollection"/>, made on first use: without
/// root the tests skip and nothing is created.</summary>
public sealed class EgressWorldFixture : IAsyncLifetime
{
    private readonly Lazy<Task<EgressWorld>> _world = new(EgressWorld.StartAsync);

    public Task<EgressWorld> GetAsync() => _world.Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_world.IsValueCreated)
            await (await _world.Value).DisposeAsync();
    }
}
