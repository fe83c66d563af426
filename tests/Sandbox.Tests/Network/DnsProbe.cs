using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxd.Tests.Network;

/// <summary>A DNS client written for the tests, independent of the stub's own code: builds one
/// query, sends it from a socket inside the sandbox and reads back rcode and A records.</summary>
internal static class DnsProbe
{
    public const ushort A = 1;
    public const ushort Aaaa = 28;

    public sealed record Reply(bool IsResponse, int Rcode, ushort Id, IReadOnlyList<IPAddress> Addresses, byte[] Raw);

    public static byte[] Query(string name, ushort type, ushort id = 0x4242)
    {
        var packet = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            packet.Add((byte)label.Length);
            packet.AddRange(Encoding.ASCII.GetBytes(label));
        }
        packet.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. packet];
    }

    /// <summary>Null when nothing came back within the timeout.</summary>
    public static async Task<Reply?> AskAsync(Socket udp, IPEndPoint server, byte[] query, int timeoutMs = 2000)
    {
        await udp.SendToAsync(query, server);
        var buffer = new byte[1024];
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            var got = await udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return Parse(buffer.AsSpan(0, got.ReceivedBytes).ToArray());
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static Reply Parse(byte[] raw)
    {
        var flags = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(2));
        var questions = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(4));
        var answers = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(6));
        var at = 12;
        for (var q = 0; q < questions; q++)
        {
            while (raw[at] != 0)
                at += raw[at] + 1;
            at += 5;
        }
        var addresses = new List<IPAddress>();
        for (var a = 0; a < answers; a++)
        {
            at += 2; // a compressed name
            var type = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(at));
            var length = BinaryPrimitives.ReadUInt16BigEndian(raw.AsSpan(at + 8));
            if (type == A)
                addresses.Add(new IPAddress(raw.AsSpan(at + 10, length)));
            at += 10 + length;
        }
        return new Reply((flags & 0x8000) != 0, flags & 0xF, BinaryPrimitives.ReadUInt16BigEndian(raw), addresses, raw);
    }
}
