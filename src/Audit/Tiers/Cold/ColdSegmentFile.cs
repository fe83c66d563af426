using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Cold;

/// <summary>The bytes of one segment: a tar (segment.json with its number and previous chain
/// hash, events.jsonl) compressed with Brotli. The number inside lets Verify tell a reordered
/// file from a tampered one; the tar keeps the format open to more entries.</summary>
internal static class ColdSegmentFile
{
    private const string MetaEntry = "segment.json";
    private const string EventsEntry = "events.jsonl";

    public static byte[] Build(long number, string prev, IReadOnlyList<AuditEvent> events)
    {
        using var jsonl = new MemoryStream();
        AuditEventJson.WriteLines(jsonl, events);
        byte[] meta = JsonSerializer.SerializeToUtf8Bytes(new SegmentMeta(number, prev, events.Count));
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(brotli, TarEntryFormat.Pax, leaveOpen: true))
        {
            AddEntry(tar, MetaEntry, meta);
            AddEntry(tar, EventsEntry, jsonl.ToArray());
        }
        return output.ToArray();
    }

    /// <summary>The number the segment says it is, or null when the bytes do not decode.</summary>
    public static long? ReadNumber(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<SegmentMeta>(ReadEntry(bytes, MetaEntry))?.Number;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or FormatException)
        {
            return null;
        }
    }

    public static List<AuditEvent> ReadEvents(byte[] bytes)
    {
        byte[] jsonl = ReadEntry(bytes, EventsEntry);
        var events = new List<AuditEvent>();
        int start = 0;
        while (start < jsonl.Length)
        {
            int end = Array.IndexOf(jsonl, (byte)'\n', start);
            if (end < 0)
                end = jsonl.Length;
            if (end > start)
                events.Add(AuditEventJson.Parse(jsonl.AsSpan(start, end - start)));
            start = end + 1;
        }
        return events;
    }

    private static void AddEntry(TarWriter tar, string name, byte[] content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
        tar.WriteEntry(entry);
    }

    private static byte[] ReadEntry(byte[] bytes, string name)
    {
        using var brotli = new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var tar = new TarReader(brotli);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name != name || entry.DataStream is null)
                continue;
            using var content = new MemoryStream();
            entry.DataStream.CopyTo(content);
            return content.ToArray();
        }
        throw new InvalidDataException($"cold segment has no {name}");
    }

    private sealed record SegmentMeta(long Number, string Prev, int Count);
}
