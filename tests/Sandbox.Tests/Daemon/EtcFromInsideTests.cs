using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>The default image's /etc holds what programs expect of a Debian container (services,
/// protocols, a hosts file naming the sandbox, the CA certificates), and no host secret.</summary>
public sealed class EtcFromInsideTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const string Lookups = """
        import socket, ssl
        print(socket.getservbyname("http", "tcp"), socket.getservbyname("domain", "udp"))
        print(socket.getprotobyname("tcp"), socket.getprotobyname("udp"))
        print(socket.getaddrinfo("localhost", "https", proto=socket.IPPROTO_TCP)[0][4][1])
        print(socket.gethostname(), socket.gethostbyname(socket.gethostname()))
        print(ssl.create_default_context().cert_store_stats()["x509_ca"] > 0)
        """;

    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task Services_protocols_the_own_hostname_and_ca_roots_resolve_inside()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest { Hostname = "etc-probe" });
        try
        {
            var run = await Daemon.Client.RunAsync(sandbox.Id, ["/usr/bin/python3", "-c", Lookups]);
            Assert.Equal("80 53\n6 17\n443\netc-probe 127.0.1.1\nTrue\n", run.Stdout + run.Stderr);
            // OpenSSL (curl, wget, git) looks the roots up by hash: the links resolve through /usr.
            var hashed = await Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "find -L /etc/ssl/certs -name '*.0' -type f | wc -l"]);
            Assert.True(int.Parse(hashed.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 0, hashed.Stdout + hashed.Stderr);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task No_host_secret_is_in_the_sandbox_etc_even_for_root_inside()
    {
        // What the host has and the sandbox must not: the test means nothing on a host without them.
        Assert.True(File.Exists("/etc/shadow") && Directory.Exists("/etc/ssl/private"));
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            var run = await Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
                "for f in /etc/shadow /etc/gshadow /etc/ssl/private /etc/machine-id /etc/ssh; do [ -e $f ] && echo present $f; done; " +
                "grep -rlI 'PRIVATE KEY' /etc 2>/dev/null; grep -c . /etc/passwd; echo end"], user: "root");
            Assert.Equal("3\nend\n", run.Stdout);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }
}
