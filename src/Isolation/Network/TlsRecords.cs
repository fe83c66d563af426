using System.Buffers.Binary;

namespace Sandboxd.Isolation.Network;

/// <summary>TLS record framing (RFC 8446 §5.1), as far as the proxy reads it: a handshake
/// message may be split across records, and a record across TCP segments, so a ClientHello is
/// only judged once it has been put back together.</summary>
internal static class TlsRecords
{
    public const byte ChangeCipherSpec = 0x14;
    public const byte Handshake = 0x16;
    public const byte ClientHelloType = 1;
    public const int HeaderLength = 5;

    /// <summary>Real clients send a ClientHello in one record, rarely two; a bound this low
    /// refuses the one-byte-per-record evasion without touching any real client.</summary>
    public const int MaxRecords = 8;

    public static int RecordLength(ReadOnlySpan<byte> header) =>
        BinaryPrimitives.ReadUInt16BigEndian(header[3..HeaderLength]);

    /// <summary>Puts the first handshake message together from the records at the start of
    /// <paramref name="data"/>, copying their payloads into <paramref name="message"/> (whose
    /// length is the size bound). Servers process only whole messages, so nothing of a message
    /// needs to go before all of it is here; and a message that does not end on a record boundary
    /// is refused, so no second message can hide behind the first one inside its record.</summary>
    public static HandshakeScan ScanMessage(ReadOnlySpan<byte> data, Span<byte> message)
    {
        var position = 0;
        var collected = 0;
        var records = 0;
        while (data.Length - position >= HeaderLength)
        {
            var header = data.Slice(position, HeaderLength);
            if (header[0] != Handshake)
                return new HandshakeScan(records == 0 ? HandshakeStatus.Malformed : HandshakeStatus.Interrupted, position);
            var length = RecordLength(header);
            if (length == 0)
                return new HandshakeScan(HandshakeStatus.Malformed, position); // forbidden for handshake records
            if (++records > MaxRecords)
                return new HandshakeScan(HandshakeStatus.TooManyRecords, position);
            if (collected + length > message.Length)
                return new HandshakeScan(HandshakeStatus.TooLarge, position);
            if (data.Length - position - HeaderLength < length)
                break;
            data.Slice(position + HeaderLength, length).CopyTo(message[collected..]);
            collected += length;
            position += HeaderLength + length;
            if (collected < 4)
                continue;
            var declared = 4 + ((message[1] << 16) | (message[2] << 8) | message[3]);
            if (collected == declared)
                return new HandshakeScan(HandshakeStatus.Complete, position, collected);
            if (collected > declared)
                return new HandshakeScan(HandshakeStatus.Malformed, position);
        }
        return new HandshakeScan(HandshakeStatus.NeedMore);
    }
}
