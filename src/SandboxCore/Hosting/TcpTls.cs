using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Sandboxd.Core.Hosting;

/// <summary>TLS on the --listen TCP listener: the server's certificate and key (PEM files), and
/// optionally a CA whose certificates clients must present (mutual TLS). Loaded at start, so a
/// bad file stops the daemon naming the option and the file.</summary>
public sealed class TcpTls
{
    private TcpTls(X509Certificate2 certificate, X509Certificate2Collection? clientCa)
    {
        Certificate = certificate;
        ClientCa = clientCa;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Null: clients are not asked for a certificate (they authenticate by token).</summary>
    public X509Certificate2Collection? ClientCa { get; }

    public static TcpTls Load(string certPath, string keyPath, string? clientCaPath)
    {
        X509Certificate2 certificate;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // A PEM key is ephemeral; SslStream on Linux takes it as it is, exported once for safety.
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ArgumentException($"--tls-cert {certPath} / --tls-key {keyPath}: {e.Message}");
        }
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"--tls-key {keyPath}: no private key for the certificate");
        X509Certificate2Collection? ca = null;
        if (clientCaPath is not null)
        {
            ca = [];
            try
            {
                ca.ImportFromPemFile(clientCaPath);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--tls-client-ca {clientCaPath}: {e.Message}");
            }
            if (ca.Count == 0)
                throw new ArgumentException($"--tls-client-ca {clientCaPath}: no certificate in the file");
        }
        return new TcpTls(certificate, ca);
    }

    /// <summary>Whether "ADDR:PORT" listens on loopback only (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopback(string addressAndPort)
    {
        int colon = addressAndPort.LastIndexOf(':');
        string host = (colon > 0 ? addressAndPort[..colon] : addressAndPort).Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>HTTPS on the listener: HTTP/2 by ALPN, and with a client CA, a client certificate
    /// that chains to it (and nothing else: the system's roots are not trusted for clients).</summary>
    public void Apply(ListenOptions listen) => listen.UseHttps(https =>
    {
        https.ServerCertificate = Certificate;
        if (ClientCa is not { } ca)
            return;
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, ca);
    });

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return chain.Build(certificate);
    }
}
