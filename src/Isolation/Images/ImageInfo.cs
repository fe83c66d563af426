using System.Globalization;

namespace Sandboxd.Isolation.Images;

/// <summary>An imported image, as image.info beside its rootfs records it (key=value lines).</summary>
public sealed record ImageInfo(string Name, long Bytes, long Entries, long ImportedUnixMs, long SetuidStripped, string Format)
{
    public string Serialize() => string.Create(CultureInfo.InvariantCulture,
        $"name={Name}\nbytes={Bytes}\nentries={Entries}\nimported_unix_ms={ImportedUnixMs}\nsetuid_stripped={SetuidStripped}\nformat={Format}\n");

    /// <summary>A missing or unreadable file gives what the directory's name says and zeros.</summary>
    public static ImageInfo Parse(string name, string? text)
    {
        var values = (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        long Number(string key) => values.TryGetValue(key, out var v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new ImageInfo(name, Number("bytes"), Number("entries"), Number("imported_unix_ms"), Number("setuid_stripped"),
            values.GetValueOrDefault("format", ""));
    }
}
