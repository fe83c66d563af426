using Sandboxd.Audit.Events;
using Sandboxd.Audit.Tiers.Hot;

// Kept in the namespace the daemon already imports; the file sits with the other hot-tier code.
namespace Sandboxd.Audit.Tiers;

/// <summary>The hot tier of one daemon: the last <c>capacity</c> events in memory, for live
/// tails and recent queries. Overwrites the oldest; the warm tier keeps the full record.</summary>
public sealed class HotRing(int capacity, TimeProvider clock) : IAuditSink
{
    private readonly AuditEvent?[] _ring = new AuditEvent?[capacity];
    private readonly AuditEventFactory _factory = new(clock);
    private readonly Lock _lock = new();
    private long _next;

    public long Count => Interlocked.Read(ref _next);

    /// <summary>Live subscribers; fed after the ring, outside its lock.</summary>
    public HotTail Tail { get; } = new();

    public void Emit(AuditKind kind, string? sandboxId, string? executionId, IReadOnlyDictionary<string, string>? attributes = null) =>
        Append(_factory.Create(kind, AuditCorrelation.None, sandboxId, executionId, attributes, AuditRisk.None));

    public void Emit(AuditKind kind, AuditCorrelation correlation, string? sandboxId, string? executionId,
        IReadOnlyDictionary<string, string>? attributes = null, AuditRisk risk = AuditRisk.None) =>
        Append(_factory.Create(kind, correlation, sandboxId, executionId, attributes, risk));

    /// <summary>Keeps an event another component stamped (the pipeline shares its events with the ring).</summary>
    public void Append(AuditEvent ev)
    {
        lock (_lock)
        {
            _ring[_next % _ring.Length] = ev;
            _next++;
        }
        Tail.Publish(ev);
    }

    /// <summary>The retained events, oldest first, optionally for one sandbox.</summary>
    public IReadOnlyList<AuditEvent> Snapshot(string? sandboxId = null)
    {
        lock (_lock)
        {
            long first = Math.Max(0, _next - _ring.Length);
            var result = new List<AuditEvent>();
            for (long i = first; i < _next; i++)
                if (_ring[i % _ring.Length] is { } ev && (sandboxId is null || ev.SandboxId == sandboxId))
                    result.Add(ev);
            return result;
        }
    }
}
