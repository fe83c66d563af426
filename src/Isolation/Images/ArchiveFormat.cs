using System.IO.Compression;
using SharpCompress.Compressors.Xz;
using SharpCompress.Compressors.ZStandard;

namespace Sandboxd.Isolation.Images;

/// <summary>Tells a tarball's compression from its first bytes (never from a file name: the
/// client's name is not the daemon's to trust) and returns the tar stream inside. zstd and xz
/// are SharpCompress's decoders; gzip is the framework's (zlib-ng).</summary>
public static class ArchiveFormat
{
    private static readonly byte[] Gzip = [0x1f, 0x8b];
    private static readonly byte[] Zstd = [0x28, 0xb5, 0x2f, 0xfd];
    private static readonly byte[] Xz = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

    /// <summary>The uncompressed tar stream of input (.tar, .tar.gz, .tar.zst, .tar.xz).</summary>
    public static Stream Open(Stream input, out string format)
    {
        var head = new byte[Xz.Length];
        int n = 0, read;
        while (n < head.Length && (read = input.Read(head, n, head.Length - n)) > 0)
            n += read;
        if (n == 0)
            throw new ImageImportException(ImageImportError.Broken, null, "empty: no bytes were sent");
        var whole = new PrefixedStream(head, n, input);
        var start = head.AsSpan(0, n);
        if (start.StartsWith(Gzip))
        {
            format = "tar.gz";
            return new GZipStream(whole, CompressionMode.Decompress);
        }
        if (start.StartsWith(Zstd))
        {
            format = "tar.zst";
            return new DecompressionStream(whole, bufferSize: 0, checkEndOfStream: true, leaveOpen: false);
        }
        if (start.StartsWith(Xz))
        {
            format = "tar.xz";
            return new XZStream(whole);
        }
        format = "tar";
        return whole;
    }
}
