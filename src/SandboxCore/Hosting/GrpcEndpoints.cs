using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Sandboxd.Core.Hosting;

/// <summary>Configures Kestrel endpoints for gRPC: HTTP/2 only, because without TLS there is no
/// ALPN and an endpoint that also allows HTTP/1.1 speaks HTTP/1.1 to everyone.</summary>
public static class GrpcEndpoints
{
    private const UnixFileMode SocketMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary>Limits for a gRPC server. The per-message limit is gRPC's own (ResourceExhausted),
    /// so Kestrel's whole-body limit would only turn the same condition into a vaguer error.</summary>
    public static void ApplyLimits(KestrelServerOptions options)
    {
        options.AddServerHeader = false;
        options.Limits.MaxRequestBodySize = null;
        // An Execute stream whose command prints nothing for minutes is not a slow client.
        options.Limits.MinRequestBodyDataRate = null;
        options.Limits.MinResponseDataRate = null;
        options.Limits.Http2.MaxStreamsPerConnection = 1024;
        // Long Execute streams can be quiet for minutes; pings find dead peers without a request timeout.
        options.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(60);
        options.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
    }

    /// <summary>Listens on a Unix socket: a stale socket file from an earlier run is removed and the
    /// parent directory made if missing. The socket's mode and group are set once it is bound, by
    /// <see cref="SocketReadiness"/>, before the daemon says it is ready.</summary>
    public static void ListenUnixSocket(KestrelServerOptions options, string path)
    {
        string fullPath = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(fullPath);
        // The guard only satisfies the platform analyzer: sandboxd runs on Linux alone.
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("Unix sockets with file modes need Linux");
        if (directory is not null && !Directory.Exists(directory))
            Directory.CreateDirectory(directory, DirectoryMode);
        // Kestrel fails with "address in use" on a socket file nobody listens on any more.
        if (File.Exists(fullPath))
            File.Delete(fullPath);

        options.ListenUnixSocket(fullPath, listen => listen.Protocols = HttpProtocols.Http2);
    }

    /// <summary>A bound socket becomes 0660, and root:GROUP when a group is configured.</summary>
    public static void SecureUnixSocket(string path, string? group)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("Unix sockets with file modes need Linux");
        if (group is not null)
            SocketGroup.Apply(path, group);
        File.SetUnixFileMode(path, SocketMode);
    }

    /// <summary>Listens on TCP at "ADDR:PORT": "127.0.0.1:7443", "[::1]:7443", "localhost:7443"
    /// or "0.0.0.0:7443". Over TLS when <paramref name="tls"/> is given; cleartext (h2c) otherwise,
    /// which the daemon allows on loopback only unless --insecure-listen.</summary>
    public static void ListenTcp(KestrelServerOptions options, string addressAndPort, TcpTls? tls = null) =>
        ListenAddress.Parse(addressAndPort).Listen(options, HttpProtocols.Http2, listen => tls?.Apply(listen));

    /// <summary>The usual setup: limits, the Unix socket, and TCP when an address is given.</summary>
    public static void Configure(KestrelServerOptions options, string unixSocketPath, string? tcpAddress = null, TcpTls? tls = null)
    {
        ApplyLimits(options);
        ListenUnixSocket(options, unixSocketPath);
        if (!string.IsNullOrEmpty(tcpAddress))
            ListenTcp(options, tcpAddress, tls);
    }
}
