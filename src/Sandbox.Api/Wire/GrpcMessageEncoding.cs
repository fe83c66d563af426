using System.Buffers;
using System.Text;

namespace Sandboxd.Api.Wire;

/// <summary>The percent-encoding of <c>grpc-message</c>: HTTP/2 header values carry only
/// printable ASCII, so every other UTF-8 byte, and '%' itself, travels as %XX.</summary>
public static class GrpcMessageEncoding
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message))
            return message;

        byte[] utf8 = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(utf8.Length * 3);
        foreach (byte b in utf8)
        {
            if (IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }
        return builder.ToString();
    }

    /// <summary>Decodes %XX sequences; a malformed escape is kept as it is, as the spec asks.</summary>
    public static string Decode(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded) || !encoded.Contains('%', StringComparison.Ordinal))
            return encoded ?? string.Empty;

        byte[] bytes = ArrayPool<byte>.Shared.Rent(encoded.Length * 3);
        try
        {
            int count = 0;
            for (int i = 0; i < encoded.Length; i++)
            {
                char c = encoded[i];
                if (c == '%' && i + 2 < encoded.Length && TryHex(encoded[i + 1], out int high) && TryHex(encoded[i + 2], out int low))
                {
                    bytes[count++] = (byte)((high << 4) | low);
                    i += 2;
                }
                else if (c <= 0x7F)
                {
                    bytes[count++] = (byte)c;
                }
                else
                {
                    // Header values should be ASCII; a lenient peer sent raw text, keep it as text.
                    int chars = char.IsSurrogatePair(encoded, i) ? 2 : 1;
                    count += Encoding.UTF8.GetBytes(encoded.AsSpan(i, chars), bytes.AsSpan(count));
                    i += chars - 1;
                }
            }
            return Encoding.UTF8.GetString(bytes, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (char c in message)
        {
            if (c is < (char)0x20 or > (char)0x7E or '%')
                return true;
        }
        return false;
    }

    private static bool IsUnreserved(byte b) => b is >= 0x20 and <= 0x7E and not (byte)'%';

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
