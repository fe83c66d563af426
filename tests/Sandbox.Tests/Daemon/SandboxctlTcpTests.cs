using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>sandboxctl on a daemon's TCP listener: `--host` with a bearer token, TLS pinned to
/// `--tls-ca`, a client certificate for mutual TLS, and clear errors for the ways it goes wrong.</summary>
public sealed class SandboxctlTcpTests
{
    [RootFact]
    public async Task Sandboxctl_reaches_a_mutual_tls_listener_with_the_ca_its_certificate_and_a_token()
    {
        using var root = new TempRoot();
        var (pki, tokenFile) = await TlsWithTokenAsync(root);
        int port = LoopbackPort.Free();
        using var daemon = new DaemonProcess(root, ownsRoot: false,
            ["--listen", $"127.0.0.1:{port}", "--token-file", tokenFile, "--tls-cert", pki.ServerCert, "--tls-key", pki.ServerKey,
             "--tls-client-ca", pki.CaCert, "--warm-pool", "0"]);
        // No socket: every call below goes over TCP, or fails.
        string noSocket = Path.Combine(root.Path, "no.sock");
        string host = $"127.0.0.1:{port}";
        string[] tls = ["--host", host, "--tls-ca", pki.CaCert, "--tls-cert", Path.Combine(root.Path, "client.crt"),
            "--tls-key", Path.Combine(root.Path, "client.key"), "--token-file", tokenFile];

        var created = await Sandboxctl.RunAsync(noSocket, null, [.. tls, "create", "--json"]);
        Assert.True(created.Code == 0, created.Stderr);
        string id = System.Text.Json.JsonDocument.Parse(created.Stdout).RootElement.GetProperty("id").GetString()!;
        var exec = await Sandboxctl.RunAsync(noSocket, null, [.. tls, "exec", id, "--", "/bin/echo", "over mutual tls"]);
        Assert.True(exec.Code == 0, exec.Stderr);
        Assert.Equal("over mutual tls\n", exec.Stdout);
        var list = await Sandboxctl.RunAsync(noSocket, null, [.. tls, "list"]);
        Assert.Contains(id, list.Stdout);

        // Without the client certificate the daemon does not answer.
        var noCert = await Sandboxctl.RunAsync(noSocket, null, "--host", host, "--tls-ca", pki.CaCert, "--token-file", tokenFile, "list");
        Assert.Equal(1, noCert.Code);
        Assert.Contains($"sandboxctl: cannot reach sandboxd: {host} (TLS)", noCert.Stderr);
        // Clear text to a TLS listener fails rather than hangs.
        var clear = await Sandboxctl.RunAsync(noSocket, null, "--host", host, "--token-file", tokenFile, "list");
        Assert.NotEqual(0, clear.Code);
        Assert.DoesNotContain(id, clear.Stdout);

        Assert.Equal(0, (await Sandboxctl.RunAsync(noSocket, null, [.. tls, "destroy", id])).Code);
    }

    [RootFact]
    public async Task A_wrong_token_or_ca_is_refused_and_bad_options_name_themselves()
    {
        using var root = new TempRoot();
        var (pki, tokenFile) = await TlsWithTokenAsync(root);
        var wrongToken = Path.Combine(root.Path, "wrong");
        await File.WriteAllTextAsync(wrongToken, "ffffffffffffffffffff\n");
        int port = LoopbackPort.Free();
        using var daemon = new DaemonProcess(root, ownsRoot: false,
            ["--listen", $"127.0.0.1:{port}", "--token-file", tokenFile, "--tls-cert", pki.ServerCert, "--tls-key", pki.ServerKey, "--warm-pool", "0"]);
        string noSocket = Path.Combine(root.Path, "no.sock");
        string host = $"127.0.0.1:{port}";

        var ok = await Sandboxctl.RunAsync(noSocket, null, "--host", host, "--tls-ca", pki.CaCert, "--token-file", tokenFile, "list");
        Assert.True(ok.Code == 0, ok.Stderr);
        var badToken = await Sandboxctl.RunAsync(noSocket, null, "--host", host, "--tls-ca", pki.CaCert, "--token-file", wrongToken, "list");
        Assert.Contains("Unauthenticated", badToken.Stderr);
        Assert.NotEqual(0, badToken.Code);
        // A CA that did not issue the daemon's certificate: not trusted, not talked to.
        var otherCa = Path.Combine(root.Path, "other-ca.crt");
        var untrusted = await Sandboxctl.RunAsync(noSocket, null, "--host", host, "--tls-ca", otherCa, "--token-file", tokenFile, "list");
        Assert.Equal(1, untrusted.Code);
        Assert.Contains("cannot reach sandboxd", untrusted.Stderr);

        var noPort = await Sandboxctl.RunAsync(noSocket, null, "--host", "127.0.0.1", "list");
        Assert.Equal(2, noPort.Code);
        Assert.Contains("--host 127.0.0.1: expected HOST:PORT", noPort.Stderr);
        var missingCa = await Sandboxctl.RunAsync(noSocket, null, "--host", host, "--tls-ca", Path.Combine(root.Path, "absent.crt"), "list");
        Assert.Equal(2, missingCa.Code);
        Assert.Contains("--tls-ca " + Path.Combine(root.Path, "absent.crt"), missingCa.Stderr);
        var caWithoutHost = await Sandboxctl.RunAsync(noSocket, null, "--tls-ca", pki.CaCert, "list");
        Assert.Equal(2, caWithoutHost.Code);
        Assert.Contains("need --host", caWithoutHost.Stderr);
    }

    [RootFact]
    public async Task Tls_settings_in_the_environment_do_not_stop_a_call_on_the_socket()
    {
        using var root = new TempRoot();
        var (pki, tokenFile) = await TlsWithTokenAsync(root);
        using var daemon = new DaemonProcess(root, ownsRoot: false, ["--warm-pool", "0"]);
        var environment = new Dictionary<string, string>
        {
            ["SANDBOXD_TLS_CA"] = pki.CaCert, ["SANDBOXD_TLS_CERT"] = pki.ServerCert, ["SANDBOXD_TLS_KEY"] = pki.ServerKey,
            ["SANDBOXD_TOKEN"] = File.ReadAllText(tokenFile).Trim(),
        };
        var list = await Sandboxctl.RunWithEnvironmentAsync(daemon.Socket, environment, "list");
        Assert.True(list.Code == 0, list.Stderr);
        // Named on the command line, the same file without --host is still a usage error.
        var flag = await Sandboxctl.RunWithEnvironmentAsync(daemon.Socket, environment, "--tls-ca", pki.CaCert, "list");
        Assert.Equal(2, flag.Code);
        Assert.Contains("need --host", flag.Stderr);
    }

    /// <summary>openssl-made certificates and a token file in <paramref name="root"/>.</summary>
    private static async Task<(TestPki Pki, string TokenFile)> TlsWithTokenAsync(TempRoot root)
    {
        var pki = await TestPki.MakeAsync(root.Path);
        var tokenFile = Path.Combine(root.Path, "token");
        await File.WriteAllTextAsync(tokenFile, "0123456789abcdef0123\n");
        return (pki, tokenFile);
    }
}
