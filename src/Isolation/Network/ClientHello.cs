using System.Buffers.Binary;
using System.Text;

namespace Sandboxd.Isolation.Network;

/// <summary>Reads the server name (SNI) from a whole ClientHello message (RFC 8446 §4.1.2), so a
/// tunnel to an allowed name cannot carry a TLS session for another one (domain fronting). Strict
/// where servers differ: a repeated extension or a second name could be read one way here and
/// another way by the server, so such a hello counts as malformed.</summary>
internal static class ClientHello
{
    private const int ServerNameExtension = 0;
    private const int SupportedVersionsExtension = 43;
    private const int HostNameType = 0;
    private const int Tls13 = 0x0304;

    /// <param name="message">The handshake message, its 4-byte header included.</param>
    public static bool TryParse(ReadOnlySpan<byte> message, out ClientHelloInfo hello)
    {
        hello = default;
        try
        {
            var r = new SpanReader(message);
            if (r.U8() != TlsRecords.ClientHelloType)
                return false;
            var body = new SpanReader(r.Bytes(r.U24()));
            if (r.Remaining != 0)
                return false;
            body.Skip(2 + 32); // legacy_version, random
            body.Skip(body.U8()); // legacy_session_id
            body.Skip(body.U16()); // cipher_suites
            body.Skip(body.U8()); // legacy_compression_methods
            if (body.Remaining == 0)
                return true; // no extensions at all (before TLS 1.3 they were optional)
            var extensions = new SpanReader(body.Bytes(body.U16()));
            if (body.Remaining != 0)
                return false;
            return TryReadExtensions(ref extensions, out hello);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    private static bool TryReadExtensions(ref SpanReader extensions, out ClientHelloInfo hello)
    {
        hello = default;
        string? sni = null;
        var offersTls13 = false;
        var seen = new HashSet<int>();
        while (extensions.Remaining > 0)
        {
            var type = extensions.U16();
            var body = new SpanReader(extensions.Bytes(extensions.U16()));
            if (!seen.Add(type))
                return false; // RFC 8446 §4.2: at most one of each
            if (type == ServerNameExtension && !TryReadServerName(body, out sni))
                return false;
            if (type == SupportedVersionsExtension)
                offersTls13 = Lists(body, Tls13);
        }
        hello = new ClientHelloInfo(sni, offersTls13);
        return true;
    }

    /// <summary>Exactly one host_name entry (RFC 6066 allows no more; OpenSSL accepts no other).</summary>
    private static bool TryReadServerName(SpanReader body, out string? sni)
    {
        sni = null;
        var list = new SpanReader(body.Bytes(body.U16()));
        if (body.Remaining != 0 || list.U8() != HostNameType)
            return false;
        var name = list.Bytes(list.U16());
        if (list.Remaining != 0 || name.IsEmpty)
            return false;
        sni = Encoding.Latin1.GetString(name); // any byte survives, for HostName to refuse
        return true;
    }

    private static bool Lists(SpanReader body, int version)
    {
        var versions = new SpanReader(body.Bytes(body.U8()));
        while (versions.Remaining >= 2)
        {
            if (versions.U16() == version)
                return true;
        }
        return false;
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

        public int U24() => (U8() << 16) | U16();

        public ReadOnlySpan<byte> Bytes(int count)
        {
            var value = _data[..count];
            _data = _data[count..];
            return value;
        }

        public void Skip(int count) => _data = _data[count..];
    }
}
