using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>A position in the shared stream that only moves forward. Entries this daemon appended
/// are skipped: its own live tails had them from the hot ring the moment they were emitted.</summary>
public interface IAuditStreamCursor
{
    /// <summary>Moves the position to the stream's current end (a tail starting now).</summary>
    void SeekToEnd();

    /// <summary>Other daemons' events after the position, up to <paramref name="count"/> entries
    /// read, returned at once (empty when nothing new); advances past everything read. Throws
    /// IOException while the server is unreachable; the next call retries from the same position.</summary>
    IReadOnlyList<AuditEvent> Next(int count);
}
