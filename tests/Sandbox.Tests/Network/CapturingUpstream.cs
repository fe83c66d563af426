using System.Net.Sockets;

namespace Sandboxd.Tests.Network;

/// <summary>A server for a <see cref="TestHost"/> that keeps every byte a tunnel brought it, so a
/// test sees what the proxy let through, not only what it decided.</summary>
internal sealed class CapturingUpstream
{
    private readonly List<byte> _received = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public byte[] Received
    {
        get
        {
            lock (_received)
                return [.. _received];
        }
    }

    public async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                lock (_received)
                    _received.AddRange(buffer.AsSpan(0, n));
            }
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> bytes are in.</summary>
    public async Task WaitForAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (Received.Length < count)
            await Task.Delay(10, timeout.Token);
    }

    /// <summary>Waits for the tunnel's end (the proxy closed or half-closed it).</summary>
    public Task ClosedAsync() => _closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
}
