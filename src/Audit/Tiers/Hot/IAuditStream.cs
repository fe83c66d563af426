using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>The shared hot tier (Redis Streams): what several daemons append to and read back.</summary>
public interface IAuditStream : IDisposable
{
    void Append(IReadOnlyList<AuditEvent> batch);

    /// <summary>The newest <paramref name="count"/> entries, newest first.</summary>
    IReadOnlyList<AuditEvent> ReadLatest(int count);

    /// <summary>A reader of what other daemons append from now on. Opening never fails: where the
    /// stream ends is asked on the first read that reaches the server.</summary>
    IAuditStreamCursor OpenCursor();
}
