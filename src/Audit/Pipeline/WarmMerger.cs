using Microsoft.Extensions.Logging;
using Microsoft.Data.Sqlite;
using Sandboxd.Audit.Tiers.Warm;

namespace Sandboxd.Audit.Pipeline;

/// <summary>Moves what the writer staged into warm's indexed table, a chunk per transaction, on its
/// own task and connection: the index maintenance that would make each ingest commit slow happens
/// here, where nobody waits on it. The writer wakes it after each commit; it runs until staging is empty.
/// Staged rows are already durable and queryable, so the merge only changes how fast queries find them.</summary>
internal sealed class WarmMerger(WarmStore warm, AuditPipelineStats stats, int chunk, ILogger log) : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);
    private readonly WakeSignal _wake = new();
    private readonly ProgressSignal _merged = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _task = Task.CompletedTask;

    /// <summary>Completes at the next merged chunk (or idle round): the writer waits on it for room.</summary>
    public Task Merged => _merged.Current;

    public void Start() => _task = Task.Run(RunAsync);

    public void Wake() => _wake.Wake();

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
                try
                {
                    int moved;
                    while (!token.IsCancellationRequested && (moved = warm.MergeStaged(chunk)) > 0)
                    {
                        Interlocked.Add(ref stats.WarmMergedCount, moved);
                        _merged.Pulse();
                    }
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
                _merged.Pulse();
                await _wake.WaitAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping: what is still staged is merged by the next start's merger.
        }
    }
}
