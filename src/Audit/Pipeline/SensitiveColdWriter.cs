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
    public async Task RunAsync()
    {
        var batch = new List<AuditEvent>(maxBatch);
        try
        {
            while (await lane.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                int n = lane.Drain(batch, maxBatch);
                try
                {
                    var segment = cold.Seal(batch, sensitive: true);
                    Interlocked.Add(ref stats.ColdSensitiveCount, n);
                    PipelineLog.SealedSensitive(log, n, segment.Number);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
                {
                    PipelineLog.SensitiveSealFailed(log, n, e);
                    Interlocked.Add(ref stats.ColdDeferredCount, n);
                }
                lane.MarkPersisted(n);
                progress.Pulse();
            }
        }
        finally
        {
            progress.Pulse();
        }
    }
}
