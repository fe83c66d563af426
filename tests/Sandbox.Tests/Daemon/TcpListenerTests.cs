using System.Net;
using System.Net.Sockets;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Grpc.Core;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>--listen serves the same API on loopback TCP, only to callers with the bearer token.</summary>
public sealed class TcpListenerTests
{
    [RootFact]
    public async Task Tcp_callers_need_the_token_and_then_get_the_same_api()
    {
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var tokenFile = Path.Combine(Path.GetTempPath(), "sbx-token-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        int port = LoopbackPort.Free();
        try
        {
            using var daemon = new DaemonProcess(["--listen", $"127.0.0.1:{port}", "--token-file", tokenFile]);

            using var anonymous = new SandboxesClient(SandboxdConnection.ForTcp("127.0.0.1", port));
            var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.ListAsync());
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

            var wrong = SandboxdConnection.ForTcp("127.0.0.1", port);
            wrong.Headers.Add("authorization", "Bearer " + new string('x', token.Length));
            using var wrongClient = new SandboxesClient(wrong);
            Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => wrongClient.ListAsync())).StatusCode);

            var connection = SandboxdConnection.ForTcp("127.0.0.1", port);
            connection.Headers.Add("authorization", "Bearer " + token);
            using var client = new SandboxesClient(connection);
            var sandbox = await client.CreateAsync(new CreateRequest());
            Assert.Equal("over tcp\n", (await client.RunAsync(sandbox.Id, ["/bin/echo", "over tcp"])).Stdout);
            Assert.True((await client.DestroyAsync(sandbox.Id)).Existed);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }
}
