using System.Net.Sockets;
using System.Text;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Network;

/// <summary>What the relay must keep of TCP: an EOF in one direction is passed on as a half-close
/// while the other direction goes on, and a server that speaks first is heard while the client's
/// first bytes are still held for the SNI check.</summary>
public sealed class ProxyTunnelTests
{
    private const int CountPort = 9003;
    private const int BannerPort = 9004;

    [RootFact]
    public async Task The_client_half_closes_and_still_reads_the_answer()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.PolicyAllowing(CountPort));
        bed.Host.ServeTcp(CountPort, AnswerAfterEofAsync);

        var (socket, status, _) = await bed.ConnectAsync($"{bed.Host.Address}:{CountPort}");
        using (socket)
        {
            Assert.Equal(200, status);
            await socket.SendAsync(new byte[100_000], SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("received 100000\n", await ReadToEndAsync(socket));
        }
        var closed = await bed.Events.WaitForAsync(e => e.Port == CountPort);
        Assert.Equal((100_000L, 16L), (closed.BytesUp, closed.BytesDown));
    }

    [RootFact]
    public async Task A_server_that_speaks_first_is_heard_before_the_client_sends()
    {
        await using var bed = await NetworkTestBed.StartAsync();
        bed.Attachment.UpdatePolicy(bed.PolicyAllowing(BannerPort));
        bed.Host.ServeTcp(BannerPort, BannerThenEchoAsync);

        var (socket, status, _) = await bed.ConnectAsync($"{bed.Host.Address}:{BannerPort}");
        using (socket)
        {
            Assert.Equal(200, status);
            var banner = new byte[7];
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.Equal(7, await socket.ReceiveAsync(banner, SocketFlags.None, deadline.Token));
            Assert.Equal("220 hi\n", Encoding.ASCII.GetString(banner));
            await socket.SendAsync("QUIT\n"u8.ToArray(), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            Assert.Equal("QUIT\n", await ReadToEndAsync(socket));
        }
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[4096];
        var text = new StringBuilder();
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        return text.ToString();
    }

    private static async Task AnswerAfterEofAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            total += n;
        await socket.SendAsync(Encoding.ASCII.GetBytes($"received {total}\n"), SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task BannerThenEchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        await socket.SendAsync("220 hi\n"u8.ToArray(), SocketFlags.None, cancellationToken);
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    }
}
