using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Sandboxd.Isolation.Network;

/// <summary>The little of RFC 1035 the DNS stub needs: read one question, write one answer. The
/// sandbox writes the query, so the reader trusts nothing: one question, no compression pointers
/// in it, labels of plain name characters only (a '.' inside a label would read as two labels to
/// the policy and as one to a resolver).</summary>
internal static class DnsMessage
{
    public const int HeaderSize = 12;
    public const ushort TypeA = 1;
    public const ushort TypeAaaa = 28;
    public const ushort ClassIn = 1;

    public const int NoError = 0;
    public const int FormatError = 1;
    public const int NameError = 3;
    public const int NotImplemented = 4;
    public const int Refused = 5;

    /// <summary>What a query asks. <see cref="Name"/> is null when the header was readable but the
    /// question was not (the answer is then FORMERR).</summary>
    public sealed record Question(ushort Id, ushort Flags, string? Name, ushort Type, ushort Class, int End)
    {
        public int Opcode => (Flags >> 11) & 0xF;
    }

    /// <summary>Null when the packet is too short to answer at all, or is itself a response.</summary>
    public static Question? Read(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < HeaderSize)
            return null;
        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if ((flags & 0x8000) != 0)
            return null;
        var malformed = new Question(id, flags, null, 0, 0, HeaderSize);
        if (BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) != 1)
            return malformed;
        var name = new StringBuilder();
        var at = HeaderSize;
        while (true)
        {
            if (at >= packet.Length)
                return malformed;
            int length = packet[at++];
            if (length == 0)
                break;
            if (length > 63 || at + length > packet.Length || name.Length + length + 1 > 254)
                return malformed; // > 63 also covers the 0xC0 compression pointers
            foreach (var b in packet.Slice(at, length))
            {
                if (!(char.IsAsciiLetterOrDigit((char)b) || b == '-' || b == '_'))
                    return malformed;
                name.Append((char)b);
            }
            name.Append('.');
            at += length;
        }
        if (at + 4 > packet.Length)
            return malformed;
        var type = BinaryPrimitives.ReadUInt16BigEndian(packet[at..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(packet[(at + 2)..]);
        return new Question(id, flags, name.Length == 0 ? "." : name.ToString(0, name.Length - 1), type, @class, at + 4);
    }

    /// <summary>The response: the query's id, RD echoed, RA set, the question copied back (when
    /// it was readable) and one A record per address, TTL 30 s.</summary>
    public static byte[] Answer(ReadOnlySpan<byte> query, Question question, int rcode, IReadOnlyList<IPAddress> addresses)
    {
        var echo = question.Name is null ? 0 : question.End - HeaderSize;
        var answer = new byte[HeaderSize + echo + addresses.Count * 16];
        BinaryPrimitives.WriteUInt16BigEndian(answer, question.Id);
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(2), (ushort)(0x8080 | (question.Flags & 0x7900) | rcode));
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(4), (ushort)(echo > 0 ? 1 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(6), (ushort)addresses.Count);
        query.Slice(HeaderSize, echo).CopyTo(answer.AsSpan(HeaderSize));
        var at = HeaderSize + echo;
        foreach (var address in addresses)
        {
            var record = answer.AsSpan(at, 16);
            BinaryPrimitives.WriteUInt16BigEndian(record, 0xC000 | HeaderSize); // the question's name
            BinaryPrimitives.WriteUInt16BigEndian(record[2..], TypeA);
            BinaryPrimitives.WriteUInt16BigEndian(record[4..], ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(record[6..], 30);
            BinaryPrimitives.WriteUInt16BigEndian(record[10..], 4);
            address.TryWriteBytes(record[12..], out _);
            at += 16;
        }
        return answer;
    }
}
