using System.Globalization;
using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Pipeline;

/// <summary>The overflow path: numbered JSON-lines files, appended and fsync'd a batch at a time.
/// The warm writer seals the current file, applies sealed files to warm, then deletes them; a
/// crash leaves files that the next start replays. Only the last line of a file can be torn (a
/// batch whose fsync never returned, so it was never acknowledged): every batch ends with a newline,
/// so a last line without one is skipped.</summary>
public sealed class SpillJournal : IDisposable
{
    private const string Prefix = "spill-";
    private const string Suffix = ".jsonl";
    private readonly string _dir;
    private readonly Lock _lock = new();
    private readonly List<string> _sealed = [];
    private FileStream? _current;
    private long _nextNumber;

    public SpillJournal(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
        foreach (string path in Directory.GetFiles(dir, Prefix + "*" + Suffix).Order(StringComparer.Ordinal))
        {
            _sealed.Add(path);
            _nextNumber = Math.Max(_nextNumber, NumberOf(path));
        }
        _nextNumber++;
    }

    /// <summary>Whether there are files that warm has not absorbed yet.</summary>
    public bool HasPending
    {
        get
        {
            lock (_lock)
                return _sealed.Count > 0 || _current is { Length: > 0 };
        }
    }

    /// <summary>Returns once the batch is on disk (fsync), which is what makes it acknowledged.</summary>
    public void Append(IReadOnlyList<AuditEvent> batch)
    {
        if (batch.Count == 0)
            return;
        using var buffer = new MemoryStream();
        AuditEventJson.WriteLines(buffer, batch);
        lock (_lock)
        {
            _current ??= new FileStream(Path.Combine(_dir, Prefix + _nextNumber++.ToString("D10", CultureInfo.InvariantCulture) + Suffix),
                FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            _current.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _current.Flush(flushToDisk: true);
        }
    }

    /// <summary>Closes the current file and returns every file ready to be applied, oldest first.</summary>
    public IReadOnlyList<string> Seal()
    {
        lock (_lock)
        {
            if (_current is not null)
            {
                _sealed.Add(_current.Name);
                _current.Dispose();
                _current = null;
            }
            return [.. _sealed];
        }
    }

    /// <summary>After its events are committed to warm.</summary>
    public void Remove(string path)
    {
        lock (_lock)
            _sealed.Remove(path);
        File.Delete(path);
    }

    /// <summary>The events of a sealed file.</summary>
    public static List<AuditEvent> Read(string path) => [.. Lines(path).Select(line => AuditEventJson.Parse(line.Span))];

    /// <summary>The complete (newline-terminated) lines of a sealed file, each one event in the stored form.</summary>
    public static List<ReadOnlyMemory<byte>> Lines(string path)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        byte[] bytes = File.ReadAllBytes(path);
        int start = 0, end;
        while (start < bytes.Length && (end = Array.IndexOf(bytes, (byte)'\n', start)) >= 0)
        {
            if (end > start)
                lines.Add(bytes.AsMemory(start, end - start));
            start = end + 1;
        }
        return lines;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _current?.Dispose();
            _current = null;
        }
    }

    private static long NumberOf(string path) =>
        long.Parse(Path.GetFileName(path).AsSpan(Prefix.Length, 10), CultureInfo.InvariantCulture);
}
