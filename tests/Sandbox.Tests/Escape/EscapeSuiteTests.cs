using Sandboxd.Api.V1;
using Sandboxd.Isolation;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Escape;

/// <summary>A hostile program inside each built-in profile, as the sandbox user and as root
/// inside: every way out it tries must fail. Attempts are made for real, from the inside.</summary>
public sealed class EscapeSuiteTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    /// <summary>syscall-try names: each is harmless even where it works, and its arguments let a
    /// refusal be told from a call that got through (see tests/probe/syscall-try.c).</summary>
    internal static readonly string[] Syscalls =
    [
        "mount", "unshare_net", "clone_newns", "clone_newuser", "setns_init", "ptrace_init", "keyctl", "add_key",
        "bpf", "perf_event_open", "userfaultfd", "open_by_handle_at", "init_module", "finit_module", "reboot",
        "settimeofday", "clock_settime", "mknod_block", "mknod_char", "socket_packet", "socket_raw", "socket_raw6",
        "socket_packet_dgram", "socket_sock_packet", "socket_vsock", "netlink_netfilter", "netlink_connector", "swapon",
        "kexec_load", "acct", "tiocsti",
    ];

    /// <summary>How a refusal reads: the filter's errno (EPERM in both built-in profiles) or a failed
    /// permission check (EPERM, EACCES). Any other errno means the call got past both to the kernel's
    /// own argument checks, so the sandbox did not refuse it.</summary>
    private static readonly int[] Refusals = [Errno.EPERM, Errno.EACCES];

    /// <summary>Refusals particular to one call, beside <see cref="Refusals"/>.</summary>
    private static readonly Dictionary<string, int> OwnRefusals = new(StringComparer.Ordinal)
    {
        // dev.tty.legacy_tiocsti=0 refuses TIOCSTI to anyone without CAP_SYS_ADMIN, before the
        // controlling-terminal check would say EPERM.
        ["tiocsti"] = Errno.EIO,
    };

    /// <summary>Shell attempts, each printing "NAME ok" only if it worked.</summary>
    internal const string FileAttempts = """
        try() { if sh -c "$2" >/dev/null 2>&1; then echo "$1 ok"; else echo "$1 denied"; fi; }
        try control 'echo x > /tmp/control && python3 -c "print(1)"'
        try core_pattern 'echo x > /proc/sys/kernel/core_pattern'
        try proc_sys_write 'echo 1 > /proc/sys/vm/drop_caches'
        try sysrq_trigger 'echo h > /proc/sysrq-trigger'
        try read_kcore '[ "$(head -c 16 /proc/kcore | wc -c)" -gt 0 ]'
        try read_kmsg '[ "$(timeout 1 head -c 16 /proc/kmsg | wc -c)" -gt 0 ]'
        try read_timer_list '[ "$(head -c 16 /proc/timer_list | wc -c)" -gt 0 ]'
        try release_agent 'mkdir -p /tmp/cg && mount -t cgroup -o memory none /tmp/cg && echo /x > /tmp/cg/release_agent'
        try sys_visible '[ -e /sys/fs/cgroup ]'
        try write_init_exe 'echo x > /proc/1/exe'
        try read_init_environ 'cat /proc/1/environ'
        try host_root_hash 'grep -q "^root:[^x*!]" /etc/shadow'
        """;

    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public Task Default_profile_as_sandbox_user() => AssertNoWayOut("default", "sandbox");

    [RootFact]
    public Task Default_profile_as_root_inside() => AssertNoWayOut("default", "root");

    [RootFact]
    public Task Strict_profile_as_sandbox_user() => AssertNoWayOut("strict", "sandbox");

    [RootFact]
    public Task Strict_profile_as_root_inside() => AssertNoWayOut("strict", "root");

    [RootFact]
    public async Task The_seccomp_filter_itself_denies_what_capabilities_alone_would_not()
    {
        // clone3 is answered ENOSYS by the filter (so libc falls back to clone, whose flags the
        // filter can inspect); capabilities would never produce ENOSYS.
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            var output = await Daemon.Client.RunWithBinaryAsync(sandbox.Id, RepoPaths.SyscallTry,
                "/tmp/syscall-try clone3; grep Seccomp: /proc/self/status", user: "root");
            Assert.Contains("clone3 errno=38 ENOSYS", output.Stdout, StringComparison.Ordinal);
            Assert.Contains("Seccomp:\t2", output.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    private async Task AssertNoWayOut(string profile, string user)
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest { Profile = profile });
        try
        {
            var loop = $"for n in {string.Join(' ', Syscalls)}; do /tmp/syscall-try $n; done";
            var syscalls = await Daemon.Client.RunWithBinaryAsync(sandbox.Id, RepoPaths.SyscallTry, loop, user);
            var results = Lines(syscalls.Stdout);
            Assert.Equal(Syscalls, results.Select(r => r.Split(' ')[0]));
            var through = results.Where(r => !IsRefusal(r)).ToList();
            Assert.True(through.Count == 0, $"not refused: {string.Join("; ", through)}");

            var files = await Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", FileAttempts], user: user);
            var attempts = Lines(files.Stdout);
            // The control proves the harness can report success; everything else must fail.
            Assert.Equal("control ok", attempts[0]);
            attempts.RemoveAt(0);
            Assert.Equal(11, attempts.Count);
            Assert.DoesNotContain(attempts, r => r.EndsWith(" ok", StringComparison.Ordinal));

            var report = await Daemon.Client.ProbeAsAsync(sandbox.Id, user, RepoPaths.Root, Daemon.Root.StateDir);
            Assert.Equal("0,1,2", report["fds"]);
            Assert.Equal("absent", report["path:" + RepoPaths.Root]);
            Assert.Equal("absent", report["path:" + Daemon.Root.StateDir]);
            // Root inside the default profile holds the container set over its own user namespace.
            Assert.Equal(profile == "default" && user == "root" ? Sandboxd.Tests.Isolation.RealProgramsInsideTests.ContainerRootCapEff : "0000000000000000",
                report["CapEff"]);
            Assert.Equal("2", report["Seccomp"]);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    /// <summary>"NAME errno=N ENAME" with a refusal's errno; "NAME ok" or another errno is not one.</summary>
    private static bool IsRefusal(string line)
    {
        var name = line.Split(' ')[0];
        var refusals = OwnRefusals.TryGetValue(name, out var own) ? [.. Refusals, own] : Refusals;
        return refusals.Any(errno => line == $"{name} errno={errno} {Errno.Name(errno)}");
    }

    private static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
