using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Sandboxd.Core.E2b.Connect;

/// <summary>A server-streaming response: 200 with application/connect+json, message frames as
/// they come (each flushed), keepalive messages while quiet when the client asked for them
/// (Keepalive-Ping-Interval, seconds), and one end-of-stream frame carrying {} or the error.
/// Writers may be on several threads; frames never interleave.</summary>
public sealed class ConnectStream : IAsyncDisposable
{
    public const string KeepaliveHeader = "Keepalive-Ping-Interval";

    private readonly HttpResponse _response;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CancellationTokenSource _keepaliveStop = new();
    private Task? _keepalive;
    private bool _ended;

    private ConnectStream(HttpResponse response) => _response = response;

    public static ConnectStream Open(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = ConnectJson.StreamContentType;
        return new ConnectStream(context.Response);
    }

    /// <summary>Sends make() whenever interval passes without another frame.</summary>
    public void KeepAlive(HttpRequest request, Func<IMessage> make, CancellationToken cancel)
    {
        if (!int.TryParse(request.Headers[KeepaliveHeader].ToString(), out int seconds) || seconds <= 0)
            return;
        var interval = TimeSpan.FromSeconds(Math.Min(seconds, 3600));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, _keepaliveStop.Token);
        _keepalive = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                    await WriteAsync(make(), stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The stream ended or the client left.
            }
            finally
            {
                stop.Dispose();
            }
        }, CancellationToken.None);
    }

    public Task WriteAsync(IMessage message, CancellationToken cancel) =>
        FrameAsync(ConnectJson.Envelope(0, ConnectJson.Formatter.Format(message)), end: false, cancel);

    /// <summary>The end-of-stream frame: {} or {"error": {...}}. Only the first one counts.</summary>
    public Task EndAsync(E2bError? error)
    {
        string json = error is { } e ? "{\"error\":" + ConnectJson.ErrorJson(e) + "}" : "{}";
        return FrameAsync(ConnectJson.Envelope(ConnectJson.EndStreamFlag, json), end: true, CancellationToken.None);
    }

    private async Task FrameAsync(byte[] frame, bool end, CancellationToken cancel)
    {
        await _lock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (_ended)
                return;
            _ended = end;
            await _response.Body.WriteAsync(frame, cancel).ConfigureAwait(false);
            await _response.Body.FlushAsync(cancel).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _keepaliveStop.CancelAsync().ConfigureAwait(false);
        if (_keepalive is not null)
            await _keepalive.ConfigureAwait(false);
        _keepaliveStop.Dispose();
        _lock.Dispose();
    }
}
