using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>A position in the shared stream that only moves forward. Entries this daemon appended
/// are skipped: its own live tails had them from the hot ring the moment they were emitted.</summary>
public interface IAuditStreamCursor : IDisposable
{
    /// <summary>Moves the position to the stream's current end (a tail starting now).</summary>
    void SeekToEnd();

    /// <summary>Other daemons' events after the position, waiting up to <paramref name="wait"/>
    /// for the first; advances past everything read. Throws IOException or SocketException while
    /// the server is unreachable; the next call retries from the same position.</summary>
    IReadOnlyList<AuditEvent> Next(int count, TimeSpan wait);
}
