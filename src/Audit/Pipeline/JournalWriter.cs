using Sandboxd.Audit.Events;

namespace Sandboxd.Audit.Pipeline;

/// <summary>Drains the spill lane into the journal, one fsync per batch. Sequential appends keep up
/// with producers that SQLite cannot, which is why overflow comes here rather than blocking Emit.</summary>
internal sealed class JournalWriter(SpillJournal journal, PipelineLane spill, AuditPipelineStats stats,
    ProgressSignal progress, int maxBatch, Action journalWritten)
{
    public async Task RunAsync()
    {
        var batch = new List<AuditEvent>(maxBatch);
        try
        {
            while (await spill.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                int n = spill.Drain(batch, maxBatch);
                journal.Append(batch);
                Interlocked.Add(ref stats.JournaledCount, n);
                spill.MarkPersisted(n);
                progress.Pulse();
                journalWritten();
            }
        }
        finally
        {
            progress.Pulse();
        }
    }
}
