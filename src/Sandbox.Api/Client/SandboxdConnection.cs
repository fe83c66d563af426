using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace Sandboxd.Api.Client;

/// <summary>A gRPC channel to sandboxd on its Unix socket or a TCP listener, plus the request
/// headers every call carries (tenant, trace id, the TCP bearer token). Thread-safe; calls share
/// the channel's HTTP/2 connections.</summary>
public sealed class SandboxdConnection : IDisposable
{
    public const string TenantHeader = "x-tenant";
    public const string TraceHeader = "x-trace-id";
    public const string RequestHeader = "x-request-id";

    /// <summary>The daemon's limit on one message either way; the client enforces the same.</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    private SandboxdConnection(GrpcChannel channel, string target)
    {
        Channel = channel;
        Target = target;
    }

    public GrpcChannel Channel { get; }

    /// <summary>Where the channel goes, for error messages ("cannot reach sandboxd at …").</summary>
    public string Target { get; }

    /// <summary>Sent with every call; set before the first call.</summary>
    public Metadata Headers { get; } = [];

    public static SandboxdConnection ForUnixSocket(string path)
    {
        var endPoint = new UnixDomainSocketEndPoint(path);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endPoint, cancel).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The host name is never resolved: the connect callback decides where bytes go.
        return new SandboxdConnection(Create("http://localhost", handler), path);
    }

    public static SandboxdConnection ForTcp(string host, int port, string? token = null)
    {
        var connection = new SandboxdConnection(
            Create(new UriBuilder(Uri.UriSchemeHttp, host, port).Uri.ToString(), new SocketsHttpHandler()), $"{host}:{port}");
        if (!string.IsNullOrEmpty(token))
            connection.Headers.Add("authorization", "Bearer " + token);
        return connection;
    }

    /// <summary>TCP over TLS: the server's certificate must chain to <paramref name="trustedCa"/>
    /// (only to it: a pinned CA, not the system's roots) and name <paramref name="host"/>;
    /// <paramref name="clientCertificate"/> is presented when the daemon asks (mutual TLS).</summary>
    public static SandboxdConnection ForTls(string host, int port, X509Certificate2Collection trustedCa, string? token = null,
        X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trustedCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        if (clientCertificate is not null)
            handler.SslOptions.ClientCertificates = [clientCertificate];
        var connection = new SandboxdConnection(
            Create(new UriBuilder(Uri.UriSchemeHttps, host, port).Uri.ToString(), handler), $"{host}:{port} (TLS)");
        if (!string.IsNullOrEmpty(token))
            connection.Headers.Add("authorization", "Bearer " + token);
        return connection;
    }

    /// <summary>Options for one call: these headers, a deadline (sent as grpc-timeout) and a token.</summary>
    public CallOptions Options(TimeSpan? deadline = null, CancellationToken cancel = default) =>
        new(Headers, deadline is { } d ? DateTime.UtcNow + d : null, cancel);

    public void Dispose() => Channel.Dispose();

    private static GrpcChannel Create(string address, SocketsHttpHandler handler)
    {
        // Proxies, cookies and redirects have no place in a local RPC channel; a long Execute
        // stream may be silent for minutes, so the connection is kept alive by pings instead.
        handler.UseProxy = false;
        handler.UseCookies = false;
        handler.AllowAutoRedirect = false;
        handler.EnableMultipleHttp2Connections = true;
        handler.KeepAlivePingDelay = TimeSpan.FromSeconds(60);
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
            DisposeHttpClient = true,
        });
    }
}
