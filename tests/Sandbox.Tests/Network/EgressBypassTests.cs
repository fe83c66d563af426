using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>The bypass suite: a sandbox in egress mode allowed only allowed.test:443 tries to get
/// around the policy from inside its netns. Every target is a test host this test created.</summary>
public sealed class EgressBypassTests
{
    [RootFact]
    public async Task AllowedConnectSucceedsAndItsBytesAreCounted()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        // A real client inside the sandbox, told about the proxy only through the environment.
        var (code, output, error) = await bed.Sandbox.RunAsync(bed.Attachment.ProxyEnvironment,
            "curl", "-sS", "-k", "--max-time", "5", "https://allowed.test/");

        Assert.True(code == 0, error);
        Assert.Equal("hello from allowed.test\n", output);
        var decision = await bed.Events.WaitForAsync(e => e.Allowed && e.Protocol == "connect");
        Assert.Equal(("allowed.test", 443, "allowed.test"), (decision.Destination, decision.Port, decision.Sni));
        Assert.Equal(bed.Host.Address.ToString(), decision.ResolvedAddress);
        Assert.StartsWith("allowed-domain:allowed.test,allowed-cidr:", decision.Rule, StringComparison.Ordinal);
        Assert.True(decision.BytesUp > 200, $"up {decision.BytesUp}");
        Assert.True(decision.BytesDown > 200, $"down {decision.BytesDown}");
        Assert.Equal("sb-" + bed.Tag, decision.SandboxId);
    }

    [RootFact]
    public async Task DirectConnectionsToAnythingButTheProxyFail()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        using var hostListener = new TcpListener(IPAddress.Any, 0);
        hostListener.Start();
        var otherPort = ((IPEndPoint)hostListener.LocalEndpoint).Port;

        // Control: from the host the test host's server is reachable, so a failure below means the
        // sandbox is blocked, not that the server is down.
        using (var control = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            await control.ConnectAsync(new IPEndPoint(bed.Host.Address, 443)).WaitAsync(TimeSpan.FromSeconds(2));

        await AssertCannotConnectAsync(bed, new IPEndPoint(bed.Host.Address, 443));
        await AssertCannotConnectAsync(bed, new IPEndPoint(bed.Host.HostSide, 443));
        await AssertCannotConnectAsync(bed, new IPEndPoint(bed.Attachment.ProxyEndpoint.Address, otherPort));
        Assert.Empty(bed.Events.All);
    }

    [RootFact]
    public async Task ConnectToADeniedNameIsRefusedWith403AndAnEvent()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        var (socket, status, head) = await bed.ConnectAsync("denied.test:443");
        socket.Dispose();

        Assert.Equal(403, status);
        Assert.Contains("X-Sandboxd-Denied: denied-domain:denied.test", head, StringComparison.Ordinal);
        var decision = await bed.Events.WaitForAsync(e => e.Destination == "denied.test");
        Assert.False(decision.Allowed);
        Assert.Null(decision.ResolvedAddress);
    }

    [RootFact]
    public async Task AllowedNameOnAnotherPortIsRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        var (socket, status, _) = await bed.ConnectAsync("allowed.test:80");
        socket.Dispose();

        Assert.Equal(403, status);
        Assert.Equal("port-not-allowed:80", (await bed.Events.WaitForAsync(e => !e.Allowed)).Rule);
    }

    [RootFact]
    public async Task TlsWithTheSniOfAnotherNameIsCutOff()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        var (socket, status, _) = await bed.ConnectAsync("allowed.test:443");
        Assert.Equal(200, status);
        using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "denied.test",
            RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.Subject == "CN=allowed.test",
        };

        await Assert.ThrowsAnyAsync<IOException>(() =>
            tls.AuthenticateAsClientAsync(options).WaitAsync(TimeSpan.FromSeconds(5)));
        var decision = await bed.Events.WaitForAsync(e => e.Rule == "sni-mismatch");
        Assert.False(decision.Allowed);
        Assert.Equal(("allowed.test", "denied.test"), (decision.Destination, decision.Sni));
        Assert.Equal(0, decision.BytesDown);
    }

    [RootFact]
    public async Task NamesThatResolveToLoopbackOrPrivateAddressesAreRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        foreach (var (name, rule) in new[]
                 {
                     ("loopback.test", "restricted-address:127.0.0.0/8"),
                     ("private.test", "restricted-address:10.0.0.0/8"),
                 })
        {
            var (socket, status, _) = await bed.ConnectAsync($"{name}:443");
            socket.Dispose();
            Assert.Equal(403, status);
            Assert.Equal(rule, (await bed.Events.WaitForAsync(e => e.Destination == name)).Rule);
        }
        var (literal, literalStatus, _) = await bed.ConnectAsync("127.0.0.1:443");
        literal.Dispose();
        Assert.Equal(403, literalStatus);
    }

    private static async Task AssertCannotConnectAsync(NetworkTestBed bed, IPEndPoint target)
    {
        using var socket = bed.Sandbox.Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(800));
        var failure = await Record.ExceptionAsync(async () => await socket.ConnectAsync(target, timeout.Token));
        Assert.True(failure is SocketException or OperationCanceledException, $"connected to {target}");
    }
}
