using Sandboxd.Api.V1;
using Sandboxd.Isolation.Launch;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.AuditApi;

/// <summary>Calls the profile refuses go through the daemon's seccomp listener: the caller gets the
/// profile's errno from it, and the audit record gets a SyscallDenied event per call, rate-limited
/// per execution so a loop cannot flood it.</summary>
public sealed class SyscallDeniedAuditTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const int SyscallDenied = 32;
    private const int LoopCalls = 10_000;

    [RootFact]
    public async Task Refused_calls_get_their_errno_and_are_recorded_with_what_they_asked()
    {
        var daemon = fixture.Daemon;
        await daemon.WithSandboxAsync(async id =>
        {
            var output = await daemon.Client.RunWithBinaryAsync(id, RepoPaths.SyscallTry,
                "for n in unshare_user mount socket_packet clone3; do /tmp/syscall-try $n; done");
            Assert.Equal("unshare_user errno=1 EPERM\nmount errno=1 EPERM\nsocket_packet errno=1 EPERM\nclone3 errno=38 ENOSYS\n", output.Stdout);

            var events = await WaitForDeniedAsync(daemon, id, found => found.Select(Syscall).Distinct().Count() >= 3);
            var unshare = Assert.Single(events, e => Syscall(e) == "unshare");
            Assert.Equal("flags=0x10000000", unshare.Attributes["detail"]);
            Assert.Equal("EPERM", unshare.Attributes["errno"]);
            Assert.Equal("272", unshare.Attributes["nr"]);
            Assert.Equal("family=17 type=3 protocol=0", Assert.Single(events, e => Syscall(e) == "socket").Attributes["detail"]);
            Assert.Equal("EPERM", Assert.Single(events, e => Syscall(e) == "mount").Attributes["errno"]);
            // clone3's ENOSYS is a compatibility answer (glibc falls back to clone), not a refusal.
            Assert.DoesNotContain(events, e => Syscall(e) == "clone3");
            Assert.All(events, e => Assert.Equal(output.Exit.ExecutionId, e.ExecutionId));
            Assert.All(events, e => Assert.NotEqual("0", e.Attributes["pid"]));
        });
    }

    [RootFact]
    public async Task A_loop_of_refused_calls_is_answered_every_time_and_recorded_rate_limited()
    {
        var daemon = fixture.Daemon;
        await daemon.WithSandboxAsync(async id =>
        {
            var output = await daemon.Client.RunWithBinaryAsync(id, RepoPaths.SyscallTry, $"/tmp/syscall-try unshare_net {LoopCalls}");
            // One line: every attempt got the same answer.
            Assert.Equal("unshare_net errno=1 EPERM\n", output.Stdout);

            // The last count goes out when the command's listener ends, just after the command.
            var events = await WaitForDeniedAsync(daemon, id, found => Suppressed(found.Where(e => Syscall(e) == "unshare")) >= LoopCalls - DenialRateLimit.RecordedPerSyscall);
            var unshare = events.Where(e => Syscall(e) == "unshare").ToList();
            Assert.Equal(DenialRateLimit.RecordedPerSyscall, unshare.Count(e => !e.Attributes.ContainsKey("suppressed")));
            Assert.Equal(LoopCalls - DenialRateLimit.RecordedPerSyscall, Suppressed(unshare));
            Assert.All(unshare, e => Assert.Equal("EPERM", e.Attributes["errno"]));
            Assert.All(unshare, e => Assert.Equal(output.Exit.ExecutionId, e.ExecutionId));
        });
    }

    private static async Task<List<AuditEvent>> WaitForDeniedAsync(DaemonProcess daemon, string sandboxId, Func<List<AuditEvent>, bool> complete)
    {
        using var audit = AuditApiClients.Audit(daemon);
        var request = new AuditQueryRequest { SandboxId = sandboxId, Limit = 10_000 };
        request.Kinds.Add(SyscallDenied);
        List<AuditEvent> events = [];
        for (var i = 0; i < 200 && !complete(events); i++)
        {
            if (i > 0)
                await Task.Delay(50);
            events = [.. (await audit.QueryAsync(request)).Events];
        }
        return events;
    }

    private static string Syscall(AuditEvent e) => e.Attributes["syscall"];

    private static long Suppressed(IEnumerable<AuditEvent> events) =>
        events.Sum(e => e.Attributes.TryGetValue("suppressed", out var n) ? long.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 0);
}
