using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>--listen over TLS (certificates made by openssl here), mutual TLS with
/// --tls-client-ca, and the refusal to serve a non-loopback listener in clear.</summary>
public sealed class TlsListenerTests
{
    [RootFact]
    public async Task Tls_listener_serves_token_callers_and_refuses_cleartext()
    {
        using var root = new TempRoot();
        var pki = await TestPki.MakeAsync(root.Path);
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var tokenFile = Path.Combine(root.Path, "token");
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        int port = LoopbackPort.Free();
        using var daemon = new DaemonProcess(root, ownsRoot: false,
            ["--listen", $"127.0.0.1:{port}", "--token-file", tokenFile, "--tls-cert", pki.ServerCert, "--tls-key", pki.ServerKey, "--warm-pool", "0"]);

        using var client = new SandboxesClient(SandboxdConnection.ForTls("127.0.0.1", port, pki.Ca, token));
        var sandbox = await client.CreateAsync(new CreateRequest());
        Assert.Equal("over tls\n", (await client.RunAsync(sandbox.Id, ["/bin/echo", "over tls"])).Stdout);
        Assert.True((await client.DestroyAsync(sandbox.Id)).Existed);

        // The same token in clear (h2c) gets no answer from a TLS listener.
        using var clear = new SandboxesClient(SandboxdConnection.ForTcp("127.0.0.1", port, token));
        var refused = await Assert.ThrowsAsync<RpcException>(() => clear.ListAsync());
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
        // A client that does not trust the daemon's CA does not talk to it.
        using var stranger = new SandboxesClient(SandboxdConnection.ForTls("127.0.0.1", port, pki.OtherCa, token));
        var untrusted = await Assert.ThrowsAsync<RpcException>(() => stranger.ListAsync());
        Assert.True(untrusted.StatusCode is StatusCode.Internal or StatusCode.Unavailable, untrusted.ToString());
        Assert.Contains("certificate", untrusted.Status.DebugException?.ToString() ?? untrusted.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [RootFact]
    public async Task Mutual_tls_needs_a_client_certificate_from_the_configured_ca()
    {
        using var root = new TempRoot();
        var pki = await TestPki.MakeAsync(root.Path);
        var tokenFile = Path.Combine(root.Path, "token");
        const string Token = "0123456789abcdef0123";
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        int port = LoopbackPort.Free();
        using var daemon = new DaemonProcess(root, ownsRoot: false,
            ["--listen", $"127.0.0.1:{port}", "--token-file", tokenFile, "--tls-cert", pki.ServerCert, "--tls-key", pki.ServerKey,
             "--tls-client-ca", pki.CaCert, "--warm-pool", "0"]);

        using var withCert = new SandboxesClient(SandboxdConnection.ForTls("127.0.0.1", port, pki.Ca, Token, pki.Client));
        Assert.NotNull(await withCert.ListAsync());
        using var without = new SandboxesClient(SandboxdConnection.ForTls("127.0.0.1", port, pki.Ca, Token));
        AssertRefusedInHandshake(await Assert.ThrowsAsync<RpcException>(() => without.ListAsync()));
        // A certificate from another CA is refused as well.
        using var foreign = new SandboxesClient(SandboxdConnection.ForTls("127.0.0.1", port, pki.Ca, Token, pki.ForeignClient));
        AssertRefusedInHandshake(await Assert.ThrowsAsync<RpcException>(() => foreign.ListAsync()));
    }

    // TLS 1.3 sends the client's certificate after the client has finished its handshake, so the
    // daemon's refusal reaches the client either as a failed handshake (Internal) or as a closed
    // connection (Unavailable), whichever read sees it first; never as an answer.
    private static void AssertRefusedInHandshake(RpcException e) =>
        Assert.True(e.StatusCode is StatusCode.Unavailable or StatusCode.Internal && e.Status.DebugException is HttpRequestException or IOException,
            e.ToString());

    [RootFact]
    public async Task A_non_loopback_listener_without_tls_is_refused_at_start()
    {
        using var root = new TempRoot();
        var tokenFile = Path.Combine(root.Path, "token");
        await File.WriteAllTextAsync(tokenFile, "0123456789abcdef0123\n");
        var (code, stderr) = await StartRefusedAsync(root, "--listen", "0.0.0.0:1", "--token-file", tokenFile);
        Assert.Equal(2, code);
        Assert.Contains("sandboxd: --listen 0.0.0.0:1 is not loopback: give --tls-cert and --tls-key", stderr);
        Assert.Contains("or --insecure-listen", stderr);
    }

    [RootFact]
    public async Task An_e2b_listener_off_loopback_without_tls_is_refused_at_start()
    {
        using var root = new TempRoot();
        var (code, stderr) = await StartRefusedAsync(root, "--e2b-listen", "0.0.0.0:1");
        Assert.Equal(2, code);
        Assert.Contains("sandboxd: --e2b-listen 0.0.0.0:1 is not loopback: give --tls-cert and --tls-key", stderr);
        Assert.Contains("or --insecure-listen", stderr);
    }

    /// <summary>--e2b-listen takes the daemon's --tls-cert: E2B's SDK reaches it over https
    /// (trusting the CA as any node program does, NODE_EXTRA_CA_CERTS), and cleartext gets nothing.</summary>
    [RootFact]
    public async Task The_e2b_listener_serves_the_sdk_over_tls()
    {
        using var root = new TempRoot();
        var pki = await TestPki.MakeAsync(root.Path);
        int port = LoopbackPort.Free();
        using var daemon = new DaemonProcess(root, ownsRoot: false,
            ["--e2b-listen", $"127.0.0.1:{port}", "--tls-cert", pki.ServerCert, "--tls-key", pki.ServerKey, "--warm-pool", "0", "--warm-egress", "0"]);
        var https = $"https://127.0.0.1:{port}";
        var run = await Sandboxd.Tests.E2b.E2bSdk.RunAsync("tls.mjs", port, "any", new Dictionary<string, string>
        {
            ["E2B_API_URL"] = https, ["E2B_SANDBOX_URL"] = https, ["NODE_EXTRA_CA_CERTS"] = pki.CaCert,
        });
        Assert.True(run.Code == 0, run.Output + "\n--- daemon ---\n" + daemon.Log);
        Assert.Single(run.Passed);

        using var clear = new HttpClient();
        clear.DefaultRequestHeaders.Add("X-API-KEY", "any");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => clear.GetAsync($"http://127.0.0.1:{port}/v2/sandboxes"));
        // A client trusting only the test's CA gets the listing over TLS.
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(pki.Ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return cert is not null && chain.Build(cert);
            },
        };
        using var trusted = new HttpClient(handler);
        trusted.DefaultRequestHeaders.Add("X-API-KEY", "any");
        var listed = await trusted.GetAsync($"{https}/v2/sandboxes");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal("[]", await listed.Content.ReadAsStringAsync());
    }

    /// <summary>Starts sandboxd with <paramref name="args"/> on the root's own dirs and returns its
    /// exit code and stderr; a daemon that (wrongly) starts is killed after 60 s, so the test fails
    /// instead of waiting.</summary>
    private static async Task<(int Code, string Stderr)> StartRefusedAsync(TempRoot root, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sandboxd")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args.Concat(["--socket", Path.Combine(root.RuntimeDir, "s.sock"), "--state-dir", root.StateDir, "--runtime-dir", root.RuntimeDir]))
            start.ArgumentList.Add(a);
        using var daemon = Process.Start(start)!;
        using var started = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stop = started.Token.Register(() => daemon.Kill());
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        var stderr = await daemon.StandardError.ReadToEndAsync();
        await daemon.WaitForExitAsync();
        await stdout;
        return (daemon.ExitCode, stderr);
    }
}
