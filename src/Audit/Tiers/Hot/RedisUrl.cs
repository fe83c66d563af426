using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>The daemon's --redis-url (redis://host:port or unix:///path) as client options. Loopback
/// and Unix sockets are what the daemon uses; nothing here resolves names beyond "localhost".</summary>
public static class RedisUrl
{
    public static ConfigurationOptions ToOptions(string url)
    {
        var uri = new Uri(url);
        EndPoint endPoint = uri.Scheme switch
        {
            "unix" => new UnixDomainSocketEndPoint(uri.AbsolutePath),
            "redis" when uri.Host is "localhost" => new IPEndPoint(IPAddress.Loopback, Port(uri)),
            "redis" => new IPEndPoint(IPAddress.Parse(uri.Host), Port(uri)),
            _ => throw new ArgumentException($"unsupported Redis URL scheme '{uri.Scheme}' (use redis:// or unix://)", nameof(url)),
        };
        return new ConfigurationOptions
        {
            EndPoints = { endPoint },
            // The daemon starts, and keeps running, while Redis is down: the multiplexer connects
            // and reconnects in the background, and the hot ring and warm carry on meanwhile.
            AbortOnConnectFail = false,
            // A command while disconnected fails at once instead of waiting in a backlog: the
            // appender is the warm writer's thread, which must not stall for Redis (warm already
            // has every event), and a tail read that fails is retried from the same position.
            BacklogPolicy = BacklogPolicy.FailFast,
            // Loopback or a Unix socket: a reconnect attempt is cheap, and the shared stream should
            // be back within a couple of seconds of the server.
            ReconnectRetryPolicy = new ExponentialRetry(250, 2000),
            ConnectTimeout = 2000,
            // A hung server (not a dead one) holds the writer this long per batch at most.
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
        };
    }

    private static int Port(Uri uri) => uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
}
