using Grpc.Core;

namespace Sandboxd.Core.Api;

/// <summary>gRPC allows one write at a time on a stream, and a command's stdout and stderr pumps
/// write concurrently: this queues them, in the order they came.</summary>
internal sealed class SerializedStreamWriter<T>(IServerStreamWriter<T> inner) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WriteAsync(T message, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            await inner.WriteAsync(message, cancel).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The call's last message: buffered, so it leaves with the trailers in one flush
    /// (the client sees the end of the call one wake-up sooner).</summary>
    public async Task WriteLastAsync(T message, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            inner.WriteOptions = new WriteOptions(WriteFlags.BufferHint);
            await inner.WriteAsync(message, cancel).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
