using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Tests.Network;

/// <summary>Sends an ICMP echo over a raw socket and says whether the target answered: the raw-socket
/// attacker, and (from the host) the control that proves the target would answer.</summary>
internal static class IcmpProbe
{
    public static async Task<bool> EchoAsync(Socket raw, IPAddress target, int timeoutMs = 600)
    {
        var packet = new byte[16];
        packet[0] = 8; // echo request
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)Environment.ProcessId);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 1);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        try
        {
            await raw.SendToAsync(packet, new IPEndPoint(target, 0));
        }
        catch (SocketException)
        {
            return false; // e.g. no route: certainly no answer
        }
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[1500];
        try
        {
            while (true)
            {
                var got = await raw.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                var ihl = (buffer[0] & 0x0f) * 4;
                if (((IPEndPoint)got.RemoteEndPoint).Address.Equals(target) && got.ReceivedBytes > ihl && buffer[ihl] == 0)
                    return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        while (sum > 0xffff)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
