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
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sandboxd")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--listen", "0.0.0.0:1", "--token-file", tokenFile, "--socket", Path.Combine(root.RuntimeDir, "s.sock"),
                     "--state-dir", root.StateDir, "--runtime-dir", root.RuntimeDir })
            start.ArgumentList.Add(a);
        using var daemon = Process.Start(start)!;
        var stdout = daemon.StandardOutput.ReadToEndAsync();
        var stderr = await daemon.StandardError.ReadToEndAsync();
        await daemon.WaitForExitAsync();
        await stdout;
        Assert.Equal(2, daemon.ExitCode);
        Assert.Contains("sandboxd: --listen 0.0.0.0:1 is not loopback: give --tls-cert and --tls-key", stderr);
        Assert.Contains("or --insecure-listen", stderr);
    }
}
