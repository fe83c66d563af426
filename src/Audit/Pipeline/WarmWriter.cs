using Microsoft.Extensions.Logging;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Tiers.Hot;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Pipeline;

/// <summary>The one task that writes warm (its staging table; the merger indexes the rows later).
/// Each round: the sensitive lane first (its own transaction, so a denial never waits behind a full
/// batch), then whatever the normal lane holds (group commit: batches grow with load, there is no
/// linger timer), then — only once the normal lane is empty, so overload is not made worse — the
/// journal files the overflow left. While staging holds <c>maxStaged</c> rows the writer takes only
/// the sensitive lane and waits for the merger; the normal lane fills and Emit spills, as under any overload.</summary>
internal sealed class WarmWriter(WarmStore warm, SpillJournal journal, PipelineLane normal, PipelineLane sensitive,
    IAuditStream? stream, AuditPipelineStats stats, ProgressSignal progress, WarmWriterLimits limits, WarmMerger merger, ILogger log)
    : IDisposable
{
    private readonly WakeSignal _journalWake = new();
    private readonly List<AuditEvent> _batch = new(limits.MaxBatch);

    /// <summary>Called by the journal writer after an append, so an idle writer drains it.</summary>
    public void WakeForJournal() => _journalWake.Wake();

    private const int JournalBatches = 8;

    // The merger pulses after each chunk; this only covers a merger that is failing and retrying.
    private static readonly TimeSpan StagingFullRecheck = TimeSpan.FromMilliseconds(100);

    public async Task RunAsync()
    {
        Task<bool>? normalWait = null, sensitiveWait = null;
        Task? journalWait = null;
        try
        {
            while (true)
            {
                bool worked = WriteLane(sensitive);
                if (warm.StagedSpan() >= limits.MaxStaged)
                {
                    await Task.WhenAny(merger.Merged, Task.Delay(StagingFullRecheck)).ConfigureAwait(false);
                    continue;
                }
                worked |= WriteLane(normal);
                if (normal.Reader.Count == 0 && journal.HasPending)
                    worked |= ApplyJournal() > 0;
                if (worked)
                {
                    merger.WriterBusy = true;
                    continue;
                }
                merger.WriterBusy = false;
                merger.Wake();
                normalWait ??= normal.Reader.WaitToReadAsync().AsTask();
                sensitiveWait ??= sensitive.Reader.WaitToReadAsync().AsTask();
                journalWait ??= _journalWake.WaitAsync();
                await Task.WhenAny(normalWait, sensitiveWait, journalWait).ConfigureAwait(false);
                if (normalWait.IsCompleted && sensitiveWait.IsCompleted && !normalWait.Result && !sensitiveWait.Result)
                    return; // both lanes completed and empty: the pipeline is shutting down
                if (normalWait.IsCompleted && normalWait.Result)
                    normalWait = null;
                if (sensitiveWait.IsCompleted && sensitiveWait.Result)
                    sensitiveWait = null;
                if (journalWait.IsCompleted)
                    journalWait = null;
            }
        }
        finally
        {
            progress.Pulse(); // a faulted writer must wake flushes so they can throw
        }
    }

    /// <summary>Applies every sealed journal file to warm and deletes it. Returns the events read.</summary>
    public int ApplyJournal()
    {
        int total = 0;
        foreach (string path in journal.Seal())
        {
            var lines = SpillJournal.Lines(path);
            // Only the hot stream needs the events themselves; warm takes the stored form as it is.
            var events = stream is null ? null : lines.ConvertAll(line => AuditEventJson.Parse(line.Span));
            try
            {
                // Larger transactions than the lanes': nobody waits on a journal file, and each commit is an fsync.
                int chunk = limits.MaxBatch * JournalBatches;
                for (int i = 0; i < lines.Count; i += chunk)
                {
                    Interlocked.Add(ref stats.WarmRowsCount, warm.InsertStored(lines.GetRange(i, Math.Min(chunk, lines.Count - i))));
                    merger.Wake();
                }
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // The file stays; the next idle round retries it.
                PipelineLog.WarmFailed(log, lines.Count, e);
                Interlocked.Increment(ref stats.WarmErrorsCount);
                return total;
            }
            journal.Remove(path);
            Interlocked.Add(ref stats.ReplayedCount, lines.Count);
            if (events is not null)
                Publish(events);
            total += lines.Count;
        }
        return total;
    }

    private bool WriteLane(PipelineLane lane)
    {
        _batch.Clear();
        int n = lane.Drain(_batch, limits.MaxBatch);
        if (n == 0)
            return false;
        try
        {
            Interlocked.Add(ref stats.WarmRowsCount, Stage(_batch));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            // Durable somewhere beats durable in the right place: the journal takes the batch and
            // the next idle round retries warm. If the journal fails too, the writer faults.
            PipelineLog.WarmFailed(log, n, e);
            Interlocked.Increment(ref stats.WarmErrorsCount);
            journal.Append(_batch);
            Interlocked.Add(ref stats.JournaledCount, n);
        }
        lane.MarkPersisted(n);
        progress.Pulse();
        Publish(_batch);
        return true;
    }

    public void Dispose() => _journalWake.Dispose();

    private int Stage(List<AuditEvent> batch)
    {
        int added = warm.Insert(batch);
        merger.Wake();
        return added;
    }

    private void Publish(List<AuditEvent> batch)
    {
        if (stream is null)
            return;
        try
        {
            stream.Append(batch);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            PipelineLog.StreamFailed(log, batch.Count, e);
            Interlocked.Increment(ref stats.HotStreamErrorsCount);
        }
    }
}
