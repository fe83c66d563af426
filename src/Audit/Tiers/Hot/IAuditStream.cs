using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>The shared hot tier (Redis Streams): what several daemons append to and read back.</summary>
public interface IAuditStream : IDisposable
{
    void Append(IReadOnlyList<AuditEvent> batch);

    /// <summary>The newest <paramref name="count"/> entries, newest first.</summary>
    IReadOnlyList<AuditEvent> ReadLatest(int count);
}
