using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Sandboxd.Tests.Network;

/// <summary>The upstream servers that run inside a <see cref="TestHost"/>.</summary>
internal static class TestServers
{
    private static readonly Lazy<X509Certificate2> Certificate = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=allowed.test", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    });

    /// <summary>Answers one HTTP request with its Host header as the body.</summary>
    public static async Task HttpAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        await AnswerAsync(stream, cancellationToken);
    }

    /// <summary>TLS (self-signed for allowed.test), then the same HTTP answer.</summary>
    public static async Task HttpsAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await stream.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions { ServerCertificate = Certificate.Value }, cancellationToken);
        await AnswerAsync(stream, cancellationToken);
    }

    /// <summary>A server that sends <paramref name="megabytes"/> MiB, then half-closes.</summary>
    public static Func<Socket, CancellationToken, Task> Source(int megabytes) => async (socket, cancellationToken) =>
    {
        var chunk = new byte[1024 * 1024];
        for (var i = 0; i < megabytes; i++)
            await socket.SendAsync(chunk, SocketFlags.None, cancellationToken);
        socket.Shutdown(SocketShutdown.Send);
    };

    private static async Task AnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
                return;
            head.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
        var host = head.ToString().Split("\r\n")
            .FirstOrDefault(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))?[5..].Trim() ?? "";
        var body = $"hello from {host}\n";
        var response = $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
