using System.Text;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Turns a file name chosen by a sandbox (any bytes but '/' and NUL) into text for the
/// audit record. Plain UTF-8 without control characters or backslashes is kept as it is; any
/// other name has every byte outside printable ASCII, and every backslash, written as \xNN.
/// The mapping is one-to-one: only escaped names contain a backslash, so two different names
/// never become the same path (which would hide one behind the other in a diff).</summary>
public static class EntryNames
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Display(ReadOnlySpan<byte> name)
    {
        if (!NeedsEscape(name))
        {
            try
            {
                return Strict.GetString(name);
            }
            catch (DecoderFallbackException)
            {
            }
        }
        var text = new StringBuilder(name.Length * 4);
        foreach (var b in name)
        {
            if (b >= 0x20 && b < 0x7F && b != (byte)'\\')
                text.Append((char)b);
            else
                text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>True for a path that had to be escaped: it cannot be turned back into its bytes.</summary>
    public static bool IsEscaped(string path) => path.Contains('\\', StringComparison.Ordinal);

    private static bool NeedsEscape(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
            if (b < 0x20 || b == 0x7F || b == (byte)'\\')
                return true;
        return false;
    }
}
