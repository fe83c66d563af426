namespace Sandboxd.Audit.Pipeline;

/// <summary>Wakes one idle background task. Wakes coalesce: however many arrive while the task is
/// busy, it runs one more round, which sees everything they announced.</summary>
internal sealed class WakeSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        if (_wake.CurrentCount != 0)
            return;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another wake came first; one is enough.
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken = default) => _wake.WaitAsync(cancellationToken);

    public void Dispose() => _wake.Dispose();
}
