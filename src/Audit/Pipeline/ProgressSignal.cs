namespace Sandboxd.Audit.Pipeline;

/// <summary>Wakes FlushAsync waiters whenever a writer makes something durable. Waiters take the
/// current task before checking their condition, so a pulse between check and await is not lost.</summary>
internal sealed class ProgressSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Current => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
