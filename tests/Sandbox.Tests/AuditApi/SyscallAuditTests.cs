using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.AuditApi;

/// <summary>The calls a profile audits (execve, connect) reach the audit record from the seccomp
/// listener, attributed to the sandbox and the execution, with what they asked for.</summary>
public sealed class SyscallAuditTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const int SyscallExec = 30;
    private const int SyscallConnect = 31;

    [RootFact]
    public async Task Programs_started_and_connections_made_inside_are_recorded()
    {
        var daemon = fixture.Daemon;
        await daemon.WithSandboxAsync(async sandboxId =>
        {
            var output = await daemon.Client.RunAsync(sandboxId, ["/bin/sh", "-c",
                "/usr/bin/true && python3 -c 'import socket\ntry: socket.create_connection((\"127.0.0.1\", 9), 1)\nexcept OSError: print(\"refused\")'"]);
            Assert.Equal("refused\n", output.Stdout);

            using var audit = AuditApiClients.Audit(daemon);
            List<Sandboxd.Api.V1.AuditEvent> events = [];
            for (int i = 0; i < 100; i++)
            {
                events = await audit.ForSandboxAsync(sandboxId, SyscallExec, SyscallConnect);
                if (events.Any(e => e.Kind == SyscallConnect))
                    break;
                await Task.Delay(50);
            }
            Assert.Contains(events, e => e.Kind == SyscallExec && e.Attributes["detail"] == "/usr/bin/true");
            Assert.Contains(events, e => e.Kind == SyscallExec && e.Attributes["detail"] == "/usr/bin/python3");
            Assert.Contains(events, e => e.Kind == SyscallConnect && e.Attributes["detail"] == "127.0.0.1:9");
            Assert.All(events, e => Assert.Equal(output.Exit.ExecutionId, e.ExecutionId));
        });
    }

    /// <summary>A full sizeof(sockaddr_un) addrlen with bytes after the path's NUL (what C
    /// programs pass, e.g. uuidd's client): the record shows the path only; an abstract socket
    /// shows as @name.</summary>
    [RootFact]
    public async Task A_connect_to_a_unix_socket_is_recorded_with_exactly_its_path()
    {
        const string Script = """
            import ctypes, socket
            libc = ctypes.CDLL(None, use_errno=True)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            addr = (b"\x01\x00" + b"/run/uuidd/request\x00" + b"GARBAGE\x7f").ljust(110, b"Z")
            print(libc.connect(s.fileno(), addr, len(addr)), ctypes.get_errno())
            try: socket.socket(socket.AF_UNIX).connect("\0sbx-abstract")
            except OSError as e: print(e.errno)
            """;
        var daemon = fixture.Daemon;
        await daemon.WithSandboxAsync(async sandboxId =>
        {
            var output = await daemon.Client.RunAsync(sandboxId, ["/usr/bin/python3", "-c", Script]);
            Assert.Equal("-1 2\n111\n", output.Stdout); // ENOENT, then ECONNREFUSED: both calls ran

            using var audit = AuditApiClients.Audit(daemon);
            List<Sandboxd.Api.V1.AuditEvent> connects = [];
            for (int i = 0; i < 100 && connects.Count < 2; i++)
            {
                connects = (await audit.ForSandboxAsync(sandboxId, SyscallConnect)).ToList();
                if (connects.Count < 2)
                    await Task.Delay(50);
            }
            Assert.Equal(["unix:/run/uuidd/request", "unix:@sbx-abstract"], connects.Select(e => e.Attributes["detail"]).Order(StringComparer.Ordinal));
        });
    }
}
