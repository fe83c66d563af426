using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxd.Isolation.Network;

/// <summary>SOCKS5 (RFC 1928) CONNECT without authentication, for TCP that is not HTTP. Names
/// (ATYP 3) are resolved by the proxy like CONNECT targets; the same policy, SNI check and events
/// apply. BIND and UDP ASSOCIATE are refused: they would open paths the firewall exists to close.</summary>
internal sealed class Socks5Session(SandboxProxy proxy, Socket client, ReadOnlyMemory<byte> received, long start)
{
    public const byte Version = 5;

    private const byte Succeeded = 0, NotAllowed = 2, HostUnreachable = 4, CommandNotSupported = 7, BadAddressType = 8;

    private readonly byte[] _data = new byte[received.Length + 512];
    private int _filled;
    private int _position;

    public async Task RunAsync(CancellationToken headTimeout, CancellationToken cancellationToken)
    {
        received.CopyTo(_data);
        _filled = received.Length;
        var greeting = await ReadAsync(2, headTimeout);
        var methods = await ReadAsync(greeting[1], headTimeout);
        if (!methods.Contains((byte)0))
        {
            await client.SendAsync(new byte[] { Version, 0xff }, SocketFlags.None, cancellationToken);
            proxy.Record("socks5", "", null, 0, null, PolicyVerdict.Deny("socks5-no-acceptable-auth"), 0, 0, start);
            return;
        }
        await client.SendAsync(new byte[] { Version, 0 }, SocketFlags.None, cancellationToken);
        var request = await ReadAsync(4, headTimeout);
        var host = request[3] switch
        {
            1 => new IPAddress(await ReadAsync(4, headTimeout)).ToString(),
            4 => new IPAddress(await ReadAsync(16, headTimeout)).ToString(),
            3 => Encoding.ASCII.GetString(await ReadAsync((await ReadAsync(1, headTimeout))[0], headTimeout)),
            _ => null,
        };
        if (host is null)
        {
            await RefuseAsync(BadAddressType, "", 0, null, PolicyVerdict.Deny("socks5-bad-address-type"), cancellationToken);
            return;
        }
        var port = BinaryPrimitives.ReadUInt16BigEndian(await ReadAsync(2, headTimeout));
        if (request[0] != Version || request[1] != 1)
        {
            await RefuseAsync(CommandNotSupported, host, port, null, PolicyVerdict.Deny("socks5-command-not-supported"),
                cancellationToken);
            return;
        }
        await ConnectAsync(host, port, cancellationToken);
    }

    private async Task ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var destination = await proxy.DecideAsync(host, port, cancellationToken);
        if (!destination.Verdict.Allowed)
        {
            await RefuseAsync(NotAllowed, host, port, destination.Address, destination.Verdict, cancellationToken);
            return;
        }
        var (upstream, failure) = await proxy.OpenUpstreamAsync(destination.Address!, port, cancellationToken);
        if (upstream is null)
        {
            await RefuseAsync(HostUnreachable, host, port, destination.Address, PolicyVerdict.Deny(failure!),
                cancellationToken);
            return;
        }
        using (upstream)
        {
            // BND.ADDR/PORT are not meaningful to the sandbox; zeros are what most proxies send.
            await client.SendAsync(new byte[] { Version, Succeeded, 0, 1, 0, 0, 0, 0, 0, 0 }, SocketFlags.None,
                cancellationToken);
            var expectedSni = IPAddress.TryParse(host, out _) ? "" : HostName.Normalize(host);
            var leftover = _data.AsMemory(_position, _filled - _position);
            var result = await Tunnel.RunAsync(proxy, client, upstream, leftover, expectedSni, cancellationToken);
            var verdict = result.DeniedBy is { } rule ? PolicyVerdict.Deny(rule) : destination.Verdict;
            proxy.Record("socks5", host, destination.Address, port, result.Sni, verdict, result.BytesUp,
                result.BytesDown, start);
        }
    }

    private async Task RefuseAsync(byte reply, string host, int port, IPAddress? address, PolicyVerdict verdict,
        CancellationToken cancellationToken)
    {
        proxy.Record("socks5", host, address, port, null, verdict, 0, 0, start);
        try
        {
            await client.SendAsync(new byte[] { Version, reply, 0, 1, 0, 0, 0, 0, 0, 0 }, SocketFlags.None,
                cancellationToken);
        }
        catch (SocketException)
        {
            // The client left first; the event is already recorded.
        }
    }

    /// <summary>Exactly <paramref name="count"/> bytes, from what was already received first.</summary>
    private async Task<byte[]> ReadAsync(int count, CancellationToken cancellationToken)
    {
        while (_filled - _position < count)
        {
            if (_filled == _data.Length)
                throw new IOException("SOCKS5 request too long");
            var n = await client.ReceiveAsync(_data.AsMemory(_filled), SocketFlags.None, cancellationToken);
            if (n == 0)
                throw new IOException("SOCKS5 client closed mid-request");
            _filled += n;
        }
        var value = _data.AsSpan(_position, count).ToArray();
        _position += count;
        return value;
    }
}
