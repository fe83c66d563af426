using System.Security.Cryptography;

namespace Sandboxd.Audit.Events;

/// <summary>Stamps events with time, a sequence and an id. The id carries a random instance
/// prefix so daemons sharing a Redis stream, and one daemon across restarts, never collide.</summary>
public sealed class AuditEventFactory(TimeProvider clock)
{
    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();
    private readonly string _instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private long _sequence;

    public string Instance => _instance;

    public long LastSequence => Interlocked.Read(ref _sequence);

    public AuditEvent Create(AuditKind kind, AuditCorrelation correlation, string? sandboxId, string? executionId,
        IReadOnlyDictionary<string, string>? attributes, AuditRisk risk)
    {
        long seq = Interlocked.Increment(ref _sequence);
        return new AuditEvent(seq, clock.GetUtcNow(), kind, sandboxId, executionId, attributes ?? NoAttributes)
        {
            Id = string.Create(null, stackalloc char[40], $"{_instance}-{seq:x}"),
            Tenant = correlation.Tenant,
            Principal = correlation.Principal,
            RequestId = correlation.RequestId,
            TraceId = correlation.TraceId,
            Risk = risk,
        };
    }
}
