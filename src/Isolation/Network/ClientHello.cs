using System.Buffers.Binary;
using System.Text;

namespace Sandboxd.Isolation.Network;

/// <summary>Reads the server name (SNI) from the first TLS record of a tunnel, so a CONNECT to an
/// allowed name cannot carry a TLS session for another one (domain fronting).</summary>
internal static class ClientHello
{
    public const byte HandshakeRecord = 0x16;
    public const int MaxRecord = 5 + 16384;

    /// <summary>The full length of the first record once its header is in, else -1.</summary>
    public static int RecordLength(ReadOnlySpan<byte> data) =>
        data.Length < 5 ? -1 : 5 + BinaryPrimitives.ReadUInt16BigEndian(data[3..5]);

    /// <summary>Parses the first record. Returns false when it is not a ClientHello; otherwise
    /// <paramref name="sni"/> is the host name, or null when the hello names none.</summary>
    public static bool TryReadSni(ReadOnlySpan<byte> record, out string? sni)
    {
        sni = null;
        try
        {
            var r = new SpanReader(record);
            if (r.U8() != HandshakeRecord)
                return false;
            r.Skip(4);
            if (r.U8() != 1)
                return false; // not a ClientHello
            r.Skip(3 + 2 + 32);
            r.Skip(r.U8());
            r.Skip(r.U16());
            r.Skip(r.U8());
            if (r.Remaining == 0)
                return true; // no extensions at all
            var extensions = new SpanReader(r.Bytes(r.U16()));
            while (extensions.Remaining > 0)
            {
                var type = extensions.U16();
                var body = new SpanReader(extensions.Bytes(extensions.U16()));
                if (type != 0)
                    continue;
                var list = new SpanReader(body.Bytes(body.U16()));
                while (list.Remaining > 0)
                {
                    var kind = list.U8();
                    var name = list.Bytes(list.U16());
                    if (kind == 0)
                    {
                        sni = Encoding.ASCII.GetString(name);
                        return true;
                    }
                }
            }
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _data = data;

        public readonly int Remaining => _data.Length;

        public byte U8()
        {
            var value = _data[0];
            _data = _data[1..];
            return value;
        }

        public int U16()
        {
            var value = BinaryPrimitives.ReadUInt16BigEndian(_data);
            _data = _data[2..];
            return value;
        }

        public ReadOnlySpan<byte> Bytes(int count)
        {
            var value = _data[..count];
            _data = _data[count..];
            return value;
        }

        public void Skip(int count) => _data = _data[count..];
    }
}
