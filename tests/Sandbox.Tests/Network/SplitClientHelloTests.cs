using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>Domain fronting with the ClientHello split across TLS records: a real TLS client asks
/// for denied.test in a tunnel to allowed.test, its hello cut right after the compression methods
/// (so the first record names no server) and each record sent in its own TCP segment. Every path
/// that judges a hello must put the whole hello together first.</summary>
public sealed class SplitClientHelloTests
{
    private static readonly Func<byte[], int[]> AfterCompressionMethods = m => [ClientHelloBytes.ExtensionsOffset(m)];

    [RootFact]
    public async Task ConnectWithTheOtherNameInTheHellosSecondRecordIsCutOff()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        var (socket, status, _) = await bed.ConnectAsync("allowed.test:443");

        Assert.Equal(200, status);
        await AssertFrontingCutOffAsync(bed, socket, "connect");
    }

    [RootFact]
    public async Task Socks5WithTheOtherNameInTheHellosSecondRecordIsCutOff()
    {
        await using var bed = await NetworkTestBed.StartAsync();

        var (socket, reply) = await bed.Socks5ConnectAsync("allowed.test", 443);

        Assert.Equal(0, reply);
        await AssertFrontingCutOffAsync(bed, socket, "socks5");
    }

    [RootFact]
    public async Task TheExplicitPortOfATransparentSandboxPutsTheHelloTogetherToo()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);

        var (socket, status, _) = await bed.ConnectAsync("allowed.test:443");

        Assert.Equal(200, status);
        await AssertFrontingCutOffAsync(bed, socket, "connect");
    }

    [RootFact]
    public async Task ARedirectedConnectionIsJudgedByTheNameInTheWholeHello()
    {
        await using var bed = await NetworkTestBed.StartAsync(transparent: true);
        var socket = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // Dialled directly, as a program ignoring the proxy variables would: the firewall redirects it.
        await socket.ConnectAsync(bed.Host.Address, 443).WaitAsync(TimeSpan.FromSeconds(5));
        using var tls = SplitTls(socket);

        await Assert.ThrowsAnyAsync<IOException>(() =>
            tls.AuthenticateAsClientAsync(ClientOptions("denied.test")).WaitAsync(TimeSpan.FromSeconds(5)));

        var decision = await bed.Events.WaitForAsync(e => e.Destination == "denied.test");
        Assert.Equal(("transparent-tls", "denied-domain:denied.test", false), (decision.Protocol, decision.Rule, decision.Allowed));
    }

    [RootFact]
    public async Task AHelloCutIntoRecordsAndSegmentsStillPassesForTheRightName()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var (socket, _, _) = await bed.ConnectAsync("allowed.test:443");
        string response;
        using (var tls = new SslStream(new SplitHelloStream(new NetworkStream(socket, ownsSocket: true),
                   m => [10, ClientHelloBytes.ExtensionsOffset(m), ClientHelloBytes.ExtensionsOffset(m) + 7],
                   TimeSpan.FromMilliseconds(50))))
        {
            await tls.AuthenticateAsClientAsync(ClientOptions("allowed.test")).WaitAsync(TimeSpan.FromSeconds(5));
            await tls.WriteAsync("GET / HTTP/1.1\r\nHost: allowed.test\r\n\r\n"u8.ToArray());
            using var reader = new StreamReader(tls, Encoding.Latin1);
            response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }

        Assert.EndsWith("hello from allowed.test\n", response, StringComparison.Ordinal);
        var decision = await bed.Events.WaitForAsync(e => e.Protocol == "connect");
        Assert.Equal((true, "allowed.test"), (decision.Allowed, decision.Sni));
    }

    private static async Task AssertFrontingCutOffAsync(NetworkTestBed bed, Socket socket, string protocol)
    {
        using var tls = SplitTls(socket);

        await Assert.ThrowsAnyAsync<IOException>(() =>
            tls.AuthenticateAsClientAsync(ClientOptions("denied.test")).WaitAsync(TimeSpan.FromSeconds(5)));

        var decision = await bed.Events.WaitForAsync(e => e.Rule == "sni-mismatch");
        Assert.Equal((protocol, "allowed.test", "denied.test", false), (decision.Protocol, decision.Destination,
            decision.Sni, decision.Allowed));
        Assert.Equal(0, decision.BytesDown);
    }

    private static SslStream SplitTls(Socket socket) =>
        new(new SplitHelloStream(new NetworkStream(socket, ownsSocket: true), AfterCompressionMethods,
            TimeSpan.FromMilliseconds(20)));

    /// <summary>Accepts the test host's certificate (it is for allowed.test whatever the SNI), so a
    /// handshake that completes means the proxy let the hello through.</summary>
    private static SslClientAuthenticationOptions ClientOptions(string targetHost) => new()
    {
        TargetHost = targetHost,
        RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.Subject == "CN=allowed.test",
    };
}
