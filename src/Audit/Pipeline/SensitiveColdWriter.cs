using Microsoft.Extensions.Logging;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Tiers.Cold;

namespace Sandboxd.Audit.Pipeline;

/// <summary>Seals sensitive events (denials, governance, high risk) into the cold chain as soon as
/// they are emitted, one small segment per batch that is waiting (batches grow with load, like the
/// warm writer's), instead of leaving them in warm until retention moves them. A segment that
/// cannot be written is not retried here: warm has the events and migration seals them later.</summary>
internal sealed class SensitiveColdWriter(ColdStore cold, PipelineLane lane, AuditPipelineStats stats,
    ProgressSignal progress, int maxBatch, ILogger log)
{
    /// <summary>At start, before the journal is applied to warm: sensitive events a crash left there
    /// whose cold seal never happened are sealed now, so they do not wait for retention either.</summary>
    public void SealFromJournal(SpillJournal journal)
    {
        var journaled = journal.Seal().SelectMany(SpillJournal.Read).Where(AuditKinds.IsSensitive)
            .DistinctBy(e => e.Id, StringComparer.Ordinal).ToList();
        if (journaled.Count == 0)
            return;
        var already = cold.SealedAsSensitive(journaled);
        var missing = journaled.Where(e => !already.Contains(e.Id)).ToList();
        for (int i = 0; i < missing.Count; i += maxBatch)
            Seal(missing.GetRange(i, Math.Min(maxBatch, missing.Count - i)));
    }

    public async Task RunAsync()
    {
        var batch = new List<AuditEvent>(maxBatch);
        try
        {
            while (await lane.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                int n = lane.Drain(batch, maxBatch);
                Seal(batch);
                lane.MarkPersisted(n);
                progress.Pulse();
            }
        }
        finally
        {
            progress.Pulse();
        }
    }

    private void Seal(List<AuditEvent> batch)
    {
        try
        {
            var segment = cold.Seal(batch, sensitive: true);
            Interlocked.Add(ref stats.ColdSensitiveCount, batch.Count);
            PipelineLog.SealedSensitive(log, batch.Count, segment.Number);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            PipelineLog.SensitiveSealFailed(log, batch.Count, e);
            Interlocked.Add(ref stats.ColdDeferredCount, batch.Count);
        }
    }
}
