using System.IO.Pipelines;
using Google.Protobuf;
using Sandboxd.Api.Wire;

namespace Sandboxd.Core.Api.Grpc;

/// <summary>Writes frames into the response pipe. A semaphore, not a lock: the flush is awaited
/// inside it, and stdout and stderr pumps write concurrently.</summary>
internal sealed class ServerStreamWriter<T> : IServerStreamWriter<T>, IDisposable
    where T : IMessage<T>
{
    private readonly GrpcCallContext _context;
    private readonly PipeWriter _writer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _completed;

    public ServerStreamWriter(GrpcCallContext context)
    {
        _context = context;
        _writer = context.HttpContext.Response.BodyWriter;
    }

    public async Task WriteAsync(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        CancellationToken cancellationToken = _context.CancellationToken;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            _context.ResponseStarted = true;
            GrpcFraming.WriteMessage(_writer, message);
            FlushResult result = await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled || result.IsCompleted)
                throw new OperationCanceledException("the client stopped reading", cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for a write in progress, then refuses later ones: the trailers come next.</summary>
    public async Task CompleteAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        _completed = true;
        _gate.Release();
    }

    public void Dispose() => _gate.Dispose();
}
