using Microsoft.Extensions.Logging;
using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Pipeline;

/// <summary>Moves what the writer staged into warm's indexed table, a chunk per transaction, on its
/// own task and connection: the index maintenance that would make each ingest commit slow happens
/// here, where nobody waits on it. The writer wakes it after each commit; it runs until staging is empty.
/// Staged rows are already durable and queryable, so the merge only changes how fast queries find them.
/// On a small machine the merge competes with ingest for the same cores, so while the writer is busy it
/// waits, unless staging is past <paramref name="urgentBacklog"/> rows.</summary>
internal sealed class WarmMerger(WarmStore warm, AuditPipelineStats stats, int chunk, long urgentBacklog, ILogger log) : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);
    private readonly WakeSignal _wake = new();
    private readonly ProgressSignal _merged = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _task = Task.CompletedTask;
    private bool _writerBusy;

    /// <summary>Completes at the next merged chunk (or idle round): the writer waits on it for room.</summary>
    public Task Merged => _merged.Current;

    public void Start() => _task = Task.Run(RunAsync);

    public void Wake() => _wake.Wake();

    /// <summary>Set by the writer: true while it has work, false (with a wake) when it goes idle.</summary>
    public bool WriterBusy
    {
        get => Volatile.Read(ref _writerBusy);
        set => Volatile.Write(ref _writerBusy, value);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _task.ConfigureAwait(false);
        _merged.Pulse();
        _stop.Dispose();
        _wake.Dispose();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                int moved = 0;
                try
                {
                    if (!WriterBusy || stats.WarmRows - stats.WarmMerged >= urgentBacklog)
                        moved = warm.MergeStaged(chunk);
                }
                catch (SqliteException e)
                {
                    // Staged rows stay staged (durable, queryable); try again later.
                    PipelineLog.MergeFailed(log, e);
                    Interlocked.Increment(ref stats.WarmErrorsCount);
                    _merged.Pulse();
                    await Task.Delay(RetryAfterFailure, token).ConfigureAwait(false);
                    continue;
                }
                Interlocked.Add(ref stats.WarmMergedCount, moved);
                _merged.Pulse();
                if (moved == 0)
                    await _wake.WaitAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: what is still staged is merged by the next start's merger.
        }
    }
}
