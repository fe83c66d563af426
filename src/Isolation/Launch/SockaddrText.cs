using System.Globalization;
using System.Net;
using System.Text;

namespace Sandboxd.Isolation.Launch;

/// <summary>A connect() address as the audit record shows it: "a.b.c.d:port", "[v6]:port",
/// "unix:/path", "unix:@abstract" or "unix:(unnamed)". Only the addrlen bytes the caller passed
/// are read (the kernel reads no more), and a pathname socket ends at its first NUL, as the
/// kernel's unix_mkname does: what follows in the buffer is the caller's garbage, not the path.</summary>
public static class SockaddrText
{
    private const int AfUnix = 1, AfInet = 2, AfInet6 = 10;
    private const int FamilySize = 2;

    /// <summary>sizeof(sockaddr_un.sun_path): a longer addrlen is cut here, like the kernel does.</summary>
    private const int SunPathMax = 108;

    public static string Format(ReadOnlySpan<byte> address)
    {
        if (address.Length < FamilySize)
            return "";
        int family = address[0] | (address[1] << 8);
        return family switch
        {
            AfInet when address.Length >= 8 =>
                $"{address[4]}.{address[5]}.{address[6]}.{address[7]}:{Port(address)}",
            AfInet6 when address.Length >= 24 => $"[{new IPAddress(address.Slice(8, 16))}]:{Port(address)}",
            AfUnix => "unix:" + UnixPath(address[FamilySize..]),
            _ => "family " + family.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static int Port(ReadOnlySpan<byte> address) => (address[2] << 8) | address[3];

    private static string UnixPath(ReadOnlySpan<byte> sunPath)
    {
        if (sunPath.Length > SunPathMax)
            sunPath = sunPath[..SunPathMax];
        if (sunPath.IsEmpty)
            return "(unnamed)";
        // Abstract: the name is every byte after the leading NUL, NULs included (the kernel
        // compares them all), so the record escapes what is not printable instead of cutting.
        if (sunPath[0] == 0)
            return "@" + Escaped(sunPath[1..]);
        int end = sunPath.IndexOf((byte)0);
        return Escaped(end < 0 ? sunPath : sunPath[..end]);
    }

    /// <summary>UTF-8 text as is; control bytes, backslashes and invalid UTF-8 as \xNN, so two
    /// different names never read the same.</summary>
    private static string Escaped(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out int used) == System.Buffers.OperationStatus.Done
                && !Rune.IsControl(rune) && rune.Value != '\\')
                text.Append(rune.ToString());
            else
            {
                used = Math.Max(used, 1);
                for (int i = 0; i < used; i++)
                    text.Append(CultureInfo.InvariantCulture, $"\\x{bytes[i]:x2}");
            }
            bytes = bytes[used..];
        }
        return text.ToString();
    }
}
