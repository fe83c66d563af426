using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Sandboxd.Api.Client;

namespace Sandboxd.Ctl.Commands;

/// <summary>Where sandboxctl reaches the daemon: its Unix socket (the default), or a TCP
/// listener (`--host`, like DOCKER_HOST), over TLS when `--tls-ca` names the CA the daemon's
/// certificate must chain to, with a client certificate for mutual TLS.</summary>
internal static class ConnectionOptions
{
    public static readonly Option<string?> Host = new("--host", "-H")
    {
        Description = "the daemon's TCP listener, HOST:PORT (instead of --socket; env SANDBOXD_HOST)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SANDBOXD_HOST"),
        Recursive = true,
    };

    public static readonly Option<string?> TlsCa = new("--tls-ca")
    {
        Description = "PEM CA the daemon's certificate must chain to: speak TLS to --host (env SANDBOXD_TLS_CA)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SANDBOXD_TLS_CA"),
        Recursive = true,
    };

    public static readonly Option<string?> TlsCert = new("--tls-cert")
    {
        Description = "PEM client certificate for a daemon that asks for one (env SANDBOXD_TLS_CERT)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SANDBOXD_TLS_CERT"),
        Recursive = true,
    };

    public static readonly Option<string?> TlsKey = new("--tls-key")
    {
        Description = "PEM key of --tls-cert (env SANDBOXD_TLS_KEY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SANDBOXD_TLS_KEY"),
        Recursive = true,
    };

    public static readonly Option<string?> TokenFile = new("--token-file")
    {
        Description = "file holding the bearer token for --host (env SANDBOXD_TOKEN holds the token itself)",
        Recursive = true,
    };

    public static void AddTo(Command root)
    {
        root.Options.Add(Host);
        root.Options.Add(TlsCa);
        root.Options.Add(TlsCert);
        root.Options.Add(TlsKey);
        root.Options.Add(TokenFile);
    }

    /// <summary>The TCP connection the options describe, or null when sandboxctl uses the socket.
    /// A bad value is an ArgumentException naming the option (a usage error, exit 2).</summary>
    public static SandboxdConnection? Tcp(ParseResult result)
    {
        var tlsCa = result.GetValue(TlsCa);
        var tlsCert = result.GetValue(TlsCert);
        var tlsKey = result.GetValue(TlsKey);
        if (result.GetValue(Host) is not { Length: > 0 } host)
        {
            // Only options on the command line: SANDBOXD_TLS_* in the environment (set for some remote
            // daemon, as DOCKER_CERT_PATH is) do not stop a call on the local socket.
            if (Given(result, TlsCa) || Given(result, TlsCert) || Given(result, TlsKey) || result.GetValue(TokenFile) is not null)
                throw new ArgumentException("--tls-ca, --tls-cert, --tls-key and --token-file need --host HOST:PORT");
            return null;
        }
        var (name, port) = SplitHost(host);
        var token = Token(result);
        if (tlsCa is null)
        {
            if (tlsCert is not null)
                throw new ArgumentException("--tls-cert needs --tls-ca: a client certificate is only sent over TLS");
            return SandboxdConnection.ForTcp(name, port, token);
        }
        if ((tlsCert is null) != (tlsKey is null))
            throw new ArgumentException("--tls-cert and --tls-key go together");
        var ca = new X509Certificate2Collection();
        try
        {
            ca.ImportFromPemFile(tlsCa);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"--tls-ca {tlsCa}: {e.Message}");
        }
        if (ca.Count == 0)
            throw new ArgumentException($"--tls-ca {tlsCa}: no PEM certificate in it");
        return SandboxdConnection.ForTls(name, port, ca, token, ClientCertificate(tlsCert, tlsKey));
    }

    private static bool Given(ParseResult result, Option<string?> option) => result.GetResult(option) is { Implicit: false };

    private static X509Certificate2? ClientCertificate(string? cert, string? key)
    {
        if (cert is null || key is null)
            return null;
        try
        {
            // Loaded through PKCS#12 so that the private key is usable for the TLS handshake.
            using var pem = X509Certificate2.CreateFromPemFile(cert, key);
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"--tls-cert {cert} / --tls-key {key}: {e.Message}");
        }
    }

    private static string? Token(ParseResult result)
    {
        if (result.GetValue(TokenFile) is not { } file)
            return Environment.GetEnvironmentVariable("SANDBOXD_TOKEN");
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--token-file {file}: {e.Message}");
        }
    }

    private static (string Host, int Port) SplitHost(string value)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
            throw new ArgumentException($"--host {value}: expected HOST:PORT");
        return (value[..colon].Trim('[', ']'), port);
    }
}
