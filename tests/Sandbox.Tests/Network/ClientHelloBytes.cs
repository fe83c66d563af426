using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Sandboxd.Tests.Network;

/// <summary>TLS ClientHellos built byte by byte (RFC 8446 §4.1.2), and records cut from them at
/// the places an evasive client would cut.</summary>
internal static class ClientHelloBytes
{
    private const byte Handshake = 0x16;

    /// <summary>A TLS 1.3 ClientHello message (header included): one cipher suite, X25519 key
    /// share, and the named extras.</summary>
    /// <param name="sni">The server_name, or null for none.</param>
    /// <param name="ech">An encrypted_client_hello extension (random payload, as GREASE ECH sends).</param>
    /// <param name="padding">Bytes of a padding extension, to make a hello of a chosen size.</param>
    public static byte[] Message(string? sni, bool ech = false, int padding = 0)
    {
        var extensions = new List<byte>();
        if (sni is not null)
        {
            var name = Encoding.ASCII.GetBytes(sni);
            Extension(extensions, 0, [.. U16(name.Length + 3), 0, .. U16(name.Length), .. name]);
        }
        Extension(extensions, 43, [2, 0x03, 0x04]); // supported_versions: TLS 1.3
        Extension(extensions, 10, [0, 2, 0x00, 0x1d]); // supported_groups: x25519
        Extension(extensions, 13, [0, 2, 0x08, 0x04]); // signature_algorithms: rsa_pss_rsae_sha256
        Extension(extensions, 51, [.. U16(36), 0x00, 0x1d, .. U16(32), .. RandomNumberGenerator.GetBytes(32)]);
        if (ech)
            Extension(extensions, 0xfe0d, [0, 0, 1, 0, 1, 7, .. U16(32), .. RandomNumberGenerator.GetBytes(32), .. U16(64), .. RandomNumberGenerator.GetBytes(64)]);
        // Several padding extensions: one extension holds at most 64 KiB.
        for (var left = padding; left > 0; left -= 60_000)
            Extension(extensions, 0xff00 + (left / 60_000), new byte[Math.Min(left, 60_000)]);
        byte[] body =
        [
            0x03, 0x03, .. RandomNumberGenerator.GetBytes(32),
            32, .. RandomNumberGenerator.GetBytes(32),
            0, 2, 0x13, 0x01,
            1, 0,
            .. U16(extensions.Count), .. extensions,
        ];
        return [1, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length, .. body];
    }

    /// <summary>Where the extensions start in a ClientHello message: the first record of the
    /// reported fronting ended exactly here, so that record named no server.</summary>
    public static int ExtensionsOffset(ReadOnlySpan<byte> message)
    {
        var at = 4 + 2 + 32;
        at += 1 + message[at];
        at += 2 + BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
        at += 1 + message[at];
        return at;
    }

    /// <summary>The message in handshake records, cut at each of <paramref name="cuts"/>.</summary>
    public static byte[][] Records(ReadOnlySpan<byte> message, params int[] cuts)
    {
        var records = new List<byte[]>();
        var start = 0;
        foreach (var end in cuts.Append(message.Length))
        {
            records.Add(Record(Handshake, message[start..end]));
            start = end;
        }
        return [.. records];
    }

    /// <summary>The message in records of at most <paramref name="size"/> bytes each.</summary>
    public static byte[][] RecordsOf(ReadOnlySpan<byte> message, int size) =>
        Records(message, [.. Enumerable.Range(1, (message.Length - 1) / size).Select(i => i * size)]);

    public static byte[] Record(byte type, ReadOnlySpan<byte> payload) =>
        [type, 0x03, 0x01, .. U16(payload.Length), .. payload];

    /// <summary>The handshake message inside one whole handshake record.</summary>
    public static byte[] MessageOf(ReadOnlySpan<byte> record) => record[5..].ToArray();

    private static void Extension(List<byte> to, int type, byte[] body)
    {
        to.AddRange(U16(type));
        to.AddRange(U16(body.Length));
        to.AddRange(body);
    }

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
}
