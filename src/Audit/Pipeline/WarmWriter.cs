using Microsoft.Extensions.Logging;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Tiers.Hot;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Pipeline;

/// <summary>The one task that writes warm. Each round: the sensitive lane first (its own
/// transaction, so a denial never waits behind a full batch), then whatever the normal lane holds
/// (group commit: batches grow with load, there is no linger timer), then — only once the normal
/// lane is empty, so overload is not made worse — the journal files the overflow left.</summary>
internal sealed class WarmWriter(WarmStore warm, SpillJournal journal, PipelineLane normal, PipelineLane sensitive,
    IAuditStream? stream, AuditPipelineStats stats, ProgressSignal progress, int maxBatch, ILogger log) : IDisposable
{
    private readonly SemaphoreSlim _journalWake = new(0, 1);
    private readonly List<AuditEvent> _batch = new(maxBatch);

    /// <summary>Called by the journal writer after an append, so an idle writer drains it.</summary>
    public void WakeForJournal()
    {
        if (_journalWake.CurrentCount == 0)
        {
            try
            {
                _journalWake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another append woke it first; one wake is enough.
            }
        }
    }

    public async Task RunAsync()
    {
        Task<bool>? normalWait = null, sensitiveWait = null;
        Task? journalWait = null;
        try
        {
            while (true)
            {
                bool worked = WriteLane(sensitive) | WriteLane(normal);
                if (normal.Reader.Count == 0 && journal.HasPending)
                    worked |= ApplyJournal() > 0;
                if (worked)
                    continue;
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
            var events = SpillJournal.Read(path);
            try
            {
                for (int i = 0; i < events.Count; i += maxBatch)
                    Interlocked.Add(ref stats.WarmRowsCount, warm.Insert(events.GetRange(i, Math.Min(maxBatch, events.Count - i))));
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException)
            {
                // The file stays; the next idle round retries it.
                PipelineLog.WarmFailed(log, events.Count, e);
                Interlocked.Increment(ref stats.WarmErrorsCount);
                return total;
            }
            journal.Remove(path);
            Interlocked.Add(ref stats.ReplayedCount, events.Count);
            Publish(events);
            total += events.Count;
        }
        return total;
    }

    private bool WriteLane(PipelineLane lane)
    {
        _batch.Clear();
        int n = lane.Drain(_batch, maxBatch);
        if (n == 0)
            return false;
        try
        {
            Interlocked.Add(ref stats.WarmRowsCount, warm.Insert(_batch));
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

    private void Publish(List<AuditEvent> batch)
    {
        if (stream is null)
            return;
        try
        {
            stream.Append(batch);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            PipelineLog.StreamFailed(log, batch.Count, e);
            Interlocked.Increment(ref stats.HotStreamErrorsCount);
        }
    }
}
