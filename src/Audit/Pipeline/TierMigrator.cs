using Microsoft.Extensions.Logging;
using Sandboxd.Audit.Tiers.Cold;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Pipeline;

/// <summary>Seals warm events older than the retention into cold segments, then deletes them from
/// warm. Runs on a timer from the injected clock, so tests advance a fake clock instead of sleeping.
/// Sealing comes before deleting; if a crash falls between the two, the first run after a restart
/// deletes from warm what the newest migrated segment already holds, so nothing is sealed twice.
/// Sensitive events were sealed at once when emitted; a batch leaves out those a sensitive segment
/// already holds, and they leave warm with the rest.</summary>
public sealed class TierMigrator(WarmStore warm, ColdStore cold, TimeProvider clock, TimeSpan retention, int segmentMaxEvents, ILogger log)
    : IDisposable
{
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private bool _reconciled;
    private long _sealedEvents;

    /// <summary>Events moved to cold since this migrator started.</summary>
    public long SealedEvents => Interlocked.Read(ref _sealedEvents);

    public void Start(TimeSpan interval) =>
        _timer = clock.CreateTimer(_ => RunOnceLogged(), null, interval, interval);

    /// <summary>Moves everything past retention now. Returns the events sealed.</summary>
    public int RunOnce()
    {
        lock (_lock)
        {
            if (!_reconciled)
            {
                if (cold.Segments.LastOrDefault(s => !s.Sensitive) is { } newest)
                    warm.Delete(cold.Read(newest).Select(e => e.Id));
                _reconciled = true;
            }
            var cutoff = clock.GetUtcNow() - retention;
            int total = 0;
            while (warm.ReadOlderThan(cutoff, segmentMaxEvents) is { Count: > 0 } batch)
            {
                var already = cold.SealedAsSensitive(batch);
                var rest = already.Count == 0 ? batch : batch.Where(e => !already.Contains(e.Id)).ToList();
                if (rest.Count > 0)
                {
                    var segment = cold.Seal(rest);
                    PipelineLog.Sealed(log, rest.Count, segment.Number);
                }
                warm.Delete(batch.Select(e => e.Id));
                total += rest.Count;
            }
            Interlocked.Add(ref _sealedEvents, total);
            return total;
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void RunOnceLogged()
    {
        try
        {
            RunOnce();
        }
        catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException or InvalidDataException)
        {
            // The next tick retries; warm keeps the events meanwhile.
            PipelineLog.MigrationFailed(log, e);
        }
    }
}
