namespace Sandboxd.Audit.Pipeline;

/// <summary>Events emitted but not yet durable, per lane: the normal lane to warm, the priority
/// lane of sensitive events, the spill lane to the journal, and sensitive events on their way to cold.</summary>
public readonly record struct AuditQueueDepth(long Normal, long Sensitive, long Spill, long Cold);
