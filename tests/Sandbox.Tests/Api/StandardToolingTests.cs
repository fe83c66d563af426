using Grpc.Health.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Api;

/// <summary>Generic gRPC tools work against the daemon without its .proto files: the standard
/// health service, and server reflection driven by a client that knows nothing of sandboxd.</summary>
public sealed class StandardToolingTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task The_health_service_says_serving()
    {
        var health = new Health.HealthClient(Daemon.Client.Connection.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [RootFact]
    public async Task A_reflection_client_discovers_the_services_and_calls_one()
    {
        var sandbox = await Daemon.Client.CreateAsync(new Sandboxd.Api.V1.CreateRequest());
        try
        {
            var result = await PythonGrpcClient.RunScriptAsync("reflection_client.py",
                ["--socket", Daemon.Socket, "--call", "sandbox.v1.Sandboxes/List"]);
            var services = result.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToList();
            Assert.Contains("sandbox.v1.Sandboxes", services);
            Assert.Contains("sandbox.v1.Audit", services);
            Assert.Contains("grpc.health.v1.Health", services);
            var listed = result.GetProperty("response").GetProperty("sandboxes").EnumerateArray()
                .Select(s => s.GetProperty("id").GetString()).ToList();
            Assert.Contains(sandbox.Id, listed);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }
}
