using System.Net.Sockets;
using System.Text;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>SOCKS5 on the same proxy port: same policy, same SNI check, same events.</summary>
public sealed class Socks5Tests
{
    [RootFact]
    public async Task CurlThroughSocks5ReachesTheAllowedName()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        var env = new Dictionary<string, string> { ["ALL_PROXY"] = bed.Attachment.ProxyEnvironment["ALL_PROXY"] };

        var (code, output, error) = await bed.Sandbox.RunAsync(env,
            "curl", "-sS", "-k", "--max-time", "5", "https://allowed.test/");

        Assert.True(code == 0, error);
        Assert.Equal("hello from allowed.test\n", output);
        var decision = await bed.Events.WaitForAsync(e => e.Allowed);
        Assert.Equal(("socks5", "allowed.test", "allowed.test"), (decision.Protocol, decision.Destination, decision.Sni));
        Assert.True(decision.BytesDown > 0);
    }

    [RootFact]
    public async Task Socks5ToADeniedNameIsRefusedByRuleset()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        using var socket = bed.Sandbox.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(bed.Attachment.ProxyEndpoint).WaitAsync(TimeSpan.FromSeconds(5));
        var name = Encoding.ASCII.GetBytes("denied.test");

        await socket.SendAsync(new byte[] { 5, 1, 0 });
        await socket.SendAsync((byte[])[5, 1, 0, 3, (byte)name.Length, .. name, 1, 187]);
        var reply = new byte[12];
        var got = 0;
        using var cts = new CancellationTokenSource(5000);
        while (got < 12)
        {
            var n = await socket.ReceiveAsync(reply.AsMemory(got), SocketFlags.None, cts.Token);
            if (n == 0)
                break;
            got += n;
        }

        Assert.Equal(new byte[] { 5, 0, 5, 2 }, reply[..4]);
        var decision = await bed.Events.WaitForAsync(e => e.Protocol == "socks5");
        Assert.Equal(("denied.test", 443, "denied-domain:denied.test", false),
            (decision.Destination, decision.Port, decision.Rule, decision.Allowed));
    }
}
