using System.Net.Sockets;
using Sandboxd.Isolation.Network;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>The ClientHello rules with hellos built byte by byte, sent through a CONNECT tunnel to
/// allowed.test: what is refused (and why, in the event) and what reaches the upstream.</summary>
public sealed class ClientHelloRuleTests
{
    private const int CapturePort = 8443;
    private static readonly byte[] ChangeCipherSpec = ClientHelloBytes.Record(0x14, [1]);

    [RootFact]
    public async Task AHelloWithoutSniInATunnelToANameIsRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var upstream = Capture(bed);
        using var socket = await OpenTunnelAsync(bed);

        await SendAsync(socket, ClientHelloBytes.Records(ClientHelloBytes.Message(sni: null)));

        Assert.Equal("tls-no-sni", (await RefusalAsync(bed, socket)).Rule);
        Assert.Empty(upstream.Received);
    }

    [RootFact]
    public async Task AHelloInMoreRecordsThanAHandfulIsRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        using var socket = await OpenTunnelAsync(bed);
        var message = ClientHelloBytes.Message("allowed.test");

        await SendAsync(socket, ClientHelloBytes.RecordsOf(message, message.Length / 9));

        Assert.Equal("tls-client-hello-too-many-records", (await RefusalAsync(bed, socket)).Rule);
    }

    [RootFact]
    public async Task AHelloOverTheSizeBoundIsRefused()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        using var socket = await OpenTunnelAsync(bed);

        await SendAsync(socket, ClientHelloBytes.RecordsOf(ClientHelloBytes.Message("allowed.test", padding: 70_000), 16_384));

        Assert.Equal("tls-client-hello-too-large", (await RefusalAsync(bed, socket)).Rule);
    }

    [RootFact]
    public async Task AHelloThatStopsHalfWayIsRefusedAtTheDeadline()
    {
        await using var bed = await NetworkTestBed.StartAsync(headTimeout: TimeSpan.FromSeconds(1));
        using var socket = await OpenTunnelAsync(bed);
        var message = ClientHelloBytes.Message("allowed.test");
        var started = Environment.TickCount64;

        await SendAsync(socket, ClientHelloBytes.Records(message, ClientHelloBytes.ExtensionsOffset(message))[..1]);

        Assert.Equal("tls-client-hello-timeout", (await RefusalAsync(bed, socket)).Rule);
        Assert.InRange(Environment.TickCount64 - started, 900, 4000);
    }

    [RootFact]
    public async Task ASecondHelloAfterARetryRequestWithAnotherNameIsRefusedBeforeItGoes()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var upstream = Capture(bed);
        using var socket = await OpenTunnelAsync(bed);
        var first = ClientHelloBytes.Records(ClientHelloBytes.Message("allowed.test"))[0];
        await SendAsync(socket, [first]);
        await upstream.WaitForAsync(first.Length);

        // What a client sends after the server's HelloRetryRequest: the compatibility
        // ChangeCipherSpec, then the new hello, here split across two records.
        var second = ClientHelloBytes.Message("denied.test");
        await SendAsync(socket, [ChangeCipherSpec, .. ClientHelloBytes.Records(second, ClientHelloBytes.ExtensionsOffset(second))]);

        var decision = await RefusalAsync(bed, socket);
        Assert.Equal(("sni-mismatch:second-hello", "denied.test"), (decision.Rule, decision.Sni));
        await upstream.ClosedAsync();
        Assert.Equal(first, upstream.Received);
    }

    [RootFact]
    public async Task ASecondHelloForTheSameNameAndTheDataAfterItGoThrough()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var upstream = Capture(bed);
        var socket = await OpenTunnelAsync(bed);
        var first = ClientHelloBytes.Records(ClientHelloBytes.Message("allowed.test"))[0];
        await SendAsync(socket, [first]);
        await upstream.WaitForAsync(first.Length);
        byte[][] rest =
        [
            ChangeCipherSpec, ClientHelloBytes.Records(ClientHelloBytes.Message("allowed.test"))[0],
            ClientHelloBytes.Record(0x17, new byte[300]), // application data: the inspection ends here
        ];

        await SendAsync(socket, rest);
        socket.Shutdown(SocketShutdown.Send);

        await upstream.ClosedAsync();
        socket.Dispose();
        Assert.Equal([.. first, .. rest.SelectMany(r => r)], upstream.Received);
        var decision = await bed.Events.WaitForAsync(e => e.Port == CapturePort);
        Assert.Equal((true, "allowed.test"), (decision.Allowed, decision.Sni));
    }

    [RootFact]
    public async Task AnEchHelloIsJudgedByItsOuterName()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var upstream = Capture(bed);
        var matching = ClientHelloBytes.Records(ClientHelloBytes.Message("allowed.test", ech: true))[0];
        using (var socket = await OpenTunnelAsync(bed))
        {
            await SendAsync(socket, [matching]);
            await upstream.WaitForAsync(matching.Length);
        }
        using var other = await OpenTunnelAsync(bed);

        await SendAsync(other, ClientHelloBytes.Records(ClientHelloBytes.Message("denied.test", ech: true)));

        var decision = await RefusalAsync(bed, other);
        Assert.Equal(("sni-mismatch", "denied.test"), (decision.Rule, decision.Sni));
        Assert.Equal(matching, upstream.Received);
    }

    private static CapturingUpstream Capture(NetworkTestBed bed)
    {
        var upstream = new CapturingUpstream();
        bed.Host.ServeTcp(CapturePort, upstream.ServeAsync);
        bed.Attachment.UpdatePolicy(bed.PolicyAllowing(CapturePort));
        return upstream;
    }

    private static async Task<Socket> OpenTunnelAsync(NetworkTestBed bed)
    {
        var port = bed.Attachment.Policy.AllowedPorts.Contains(CapturePort) ? CapturePort : 443;
        var (socket, status, _) = await bed.ConnectAsync($"allowed.test:{port}");
        Assert.Equal(200, status);
        return socket;
    }

    /// <summary>Each record in its own TCP segment; a proxy that already refused may reset the rest.</summary>
    private static async Task SendAsync(Socket socket, byte[][] records)
    {
        socket.NoDelay = true;
        try
        {
            foreach (var record in records)
            {
                await socket.SendAsync(record);
                await Task.Delay(20);
            }
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>The proxy closes the tunnel without a byte from upstream, and records why.</summary>
    private static async Task<NetworkDecision> RefusalAsync(NetworkTestBed bed, Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = await Record.ExceptionAsync(async () =>
            Assert.Equal(0, await NetworkTestBed.ReceiveAllAsync(socket, timeout.Token)));
        Assert.True(received is null or SocketException, $"tunnel not closed: {received}");
        var decision = await bed.Events.WaitForAsync(e => e.Protocol == "connect" && !e.Allowed);
        Assert.Equal(0, decision.BytesDown);
        return decision;
    }
}
