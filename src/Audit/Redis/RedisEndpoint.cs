using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Audit.Redis;

/// <summary>Where Redis listens: redis://host:port or unix:///path. Loopback and Unix sockets are
/// what the daemon uses; nothing here resolves names beyond "localhost".</summary>
public sealed record RedisEndpoint(EndPoint EndPoint)
{
    public static RedisEndpoint Parse(string url)
    {
        var uri = new Uri(url);
        return uri.Scheme switch
        {
            "unix" => new RedisEndpoint(new UnixDomainSocketEndPoint(uri.AbsolutePath)),
            "redis" when uri.Host is "localhost" => new RedisEndpoint(new IPEndPoint(IPAddress.Loopback, Port(uri))),
            "redis" => new RedisEndpoint(new IPEndPoint(IPAddress.Parse(uri.Host), Port(uri))),
            _ => throw new ArgumentException($"unsupported Redis URL scheme '{uri.Scheme}' (use redis:// or unix://)", nameof(url)),
        };
    }

    public Socket Connect()
    {
        var socket = EndPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(EndPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static int Port(Uri uri) => uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
}
