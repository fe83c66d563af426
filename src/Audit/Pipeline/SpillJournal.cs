using System.Globalization;
using System.Text.Json;
using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Pipeline;

/// <summary>The overflow path: numbered JSON-lines files, appended and fsync'd a batch at a time.
/// The warm writer seals the current file, applies sealed files to warm, then deletes them; a
/// crash leaves files that the next start replays. Only the last line of a file can be torn (a
/// batch whose fsync never returned, so it was never acknowledged), and it is skipped.</summary>
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

    /// <summary>The events of a sealed file. A line that does not parse is tolerated only at the end.</summary>
    public static List<AuditEvent> Read(string path)
    {
        var events = new List<AuditEvent>();
        byte[] bytes = File.ReadAllBytes(path);
        int start = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            bool torn = end < 0;
            var line = bytes.AsSpan(start, (torn ? bytes.Length : end) - start);
            try
            {
                if (line.Length > 0)
                    events.Add(AuditEventJson.Parse(line));
            }
            catch (JsonException) when (torn)
            {
                break;
            }
            start = torn ? bytes.Length : end + 1;
        }
        return events;
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
