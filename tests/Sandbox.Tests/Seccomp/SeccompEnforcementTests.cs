using Sandboxd.Isolation.Seccomp;
using Xunit;

namespace Sandboxd.Tests.Seccomp;

/// <summary>Installs the built-in profiles for real (seccomp-run) and proves from the inside
/// (syscall-try) what they refuse and what still runs. None of this needs root: with
/// no_new_privs any process may install a filter, and the filter answers before any privilege
/// check, so these run everywhere (and, as root in CI, the marker test proves the refusals
/// come from the filter and not from a missing capability).</summary>
public sealed class SeccompEnforcementTests
{
    // An errno no host refusal produces for these calls: seeing it proves the filter answered,
    // not a missing capability or an older kernel.
    private const int Marker = 77; // EBADFD

    public static TheoryData<string, string> Denied => new()
    {
        { "mount", "errno=1 EPERM" },
        { "unshare", "errno=1 EPERM" },
        { "unshare_net", "errno=1 EPERM" },
        { "setns", "errno=1 EPERM" },
        { "clone_newns", "errno=1 EPERM" },
        { "clone_newuser", "errno=1 EPERM" },
        { "clone3", "errno=38 ENOSYS" },
        { "keyctl", "errno=1 EPERM" },
        { "add_key", "errno=1 EPERM" },
        { "bpf", "errno=1 EPERM" },
        { "perf_event_open", "errno=1 EPERM" },
        { "userfaultfd", "errno=1 EPERM" },
        { "open_by_handle_at", "errno=1 EPERM" },
        { "init_module", "errno=1 EPERM" },
        { "finit_module", "errno=1 EPERM" },
        { "reboot", "errno=1 EPERM" },
        { "settimeofday", "errno=1 EPERM" },
        { "clock_settime", "errno=1 EPERM" },
        { "ptrace_attach", "errno=1 EPERM" },
        { "mknod_block", "errno=1 EPERM" },
        { "mknod_char", "errno=1 EPERM" },
        { "socket_packet", "errno=1 EPERM" },
        { "socket_raw", "errno=1 EPERM" },
        { "socket_raw6", "errno=1 EPERM" },
        { "socket_packet_dgram", "errno=1 EPERM" },
        { "socket_sock_packet", "errno=1 EPERM" },
        { "socket_vsock", "errno=1 EPERM" },
        { "netlink_netfilter", "errno=1 EPERM" },
        { "netlink_connector", "errno=1 EPERM" },
        { "swapon", "errno=1 EPERM" },
        { "kexec_load", "errno=1 EPERM" },
        { "acct", "errno=1 EPERM" },
        { "personality_bsd", "errno=1 EPERM" },
    };

    /// <summary>Netlink families a program needs in its own network namespace (getifaddrs and
    /// if_nameindex use ROUTE, ss uses SOCK_DIAG, PAM and shadow's tools AUDIT, ethtool GENERIC,
    /// udev monitors KOBJECT_UEVENT), and AF_UNIX's SOCK_RAW, which the kernel makes a datagram socket.</summary>
    private static readonly string[] Allowed =
    [
        "getpid", "clone_plain", "mknod_fifo", "socket_inet", "personality_query", "socket_unix_raw",
        "netlink_route", "netlink_route_dgram", "netlink_sock_diag", "netlink_audit", "netlink_generic", "netlink_uevent",
    ];

    private static readonly SeccompProfile[] Profiles = [BuiltinProfiles.Default, BuiltinProfiles.Strict];

    [Fact]
    public void DefaultRefusesEachDangerousCall() => AssertRefused(BuiltinProfiles.Default);

    [Fact]
    public void StrictRefusesEachDangerousCall() => AssertRefused(BuiltinProfiles.Strict);

    [Fact]
    public void TheRefusalsComeFromTheFilterNotTheHost()
    {
        // The same profile with every EPERM turned into a marker errno.
        var profile = BuiltinProfiles.Default with
        {
            Rules = [.. BuiltinProfiles.Default.Rules.Select(rule => rule.Errno == 1 ? rule with { Errno = Marker } : rule)],
        };
        var failures = Denied
            .Select(row => (string)row[0])
            .Where(name => name != "clone3")
            .Select(name => SeccompRun.Try(profile, name))
            .Where(line => !line.EndsWith($"errno={Marker} EBADFD", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(failures);
    }

    [Fact]
    public void HarmlessCallsStillWork()
    {
        foreach (var profile in Profiles)
        {
            foreach (var name in Allowed)
                Assert.Equal($"{name} ok", SeccompRun.Try(profile, name));
        }
    }

    [Fact]
    public void ShellAndCoreutilsRun() =>
        AssertRunsUnderEveryProfile("hi\nx\n", "/bin/sh", "-c", "echo hi; ls / >/dev/null; cat /etc/hostname >/dev/null; /bin/echo x; true");

    [Fact]
    public void PythonRuns() => AssertRunsUnderEveryProfile("1\n", "/usr/bin/python3", "-c", "print(1)");

    [Fact]
    public void LogRulesAuditWithoutBreakingTheCall()
    {
        var profile = BuiltinProfiles.Strict with
        {
            Rules = [new SyscallRule("execve", SeccompAction.Log), new SyscallRule("getpid", SeccompAction.Log), .. BuiltinProfiles.Strict.Rules],
        };

        Assert.Equal("getpid ok", SeccompRun.Try(profile, "getpid"));
        Assert.Equal("hi\n", SeccompRun.Run(profile, "/bin/sh", "-c", "echo hi").Stdout);
    }

    [Fact]
    public void KillEndsTheProcessWithSigsys()
    {
        var profile = new SeccompProfile("kill-getpid", SeccompAction.Allow, 0, [new SyscallRule("getpid", SeccompAction.Kill)]);

        var result = SeccompRun.Run(profile, SeccompTestPaths.SyscallTry, "getpid");

        Assert.Equal(128 + 31, result.ExitCode); // SIGSYS
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void TheRunnerNamesTheStepThatFailed()
    {
        // A jump past the end: the kernel's verifier refuses it with EINVAL.
        var badJump = new byte[8];
        new BpfInstruction(BpfInstruction.JumpAlways, 0, 0, 5).WriteTo(badJump);
        var refused = SeccompRun.RunProgram(badJump, "/bin/true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains("seccomp: EINVAL", refused.Stderr, StringComparison.Ordinal);

        var torn = SeccompRun.RunProgram(new byte[7], "/bin/true");
        Assert.Equal(125, torn.ExitCode);
        Assert.Contains("read program", torn.Stderr, StringComparison.Ordinal);
    }

    private static void AssertRunsUnderEveryProfile(string expectedStdout, params string[] command)
    {
        foreach (var profile in Profiles)
        {
            var result = SeccompRun.Run(profile, command);

            Assert.True(result.ExitCode == 0, $"{profile.Name}: exit {result.ExitCode}: {result.Stderr}");
            Assert.Equal(expectedStdout, result.Stdout);
        }
    }

    private static void AssertRefused(SeccompProfile profile)
    {
        var wrong = Denied
            .Select(row => ((string)row[0], (string)row[1]))
            .Select(row => (Expected: $"{row.Item1} {row.Item2}", Actual: SeccompRun.Try(profile, row.Item1)))
            .Where(pair => pair.Expected != pair.Actual)
            .Select(pair => $"expected '{pair.Expected}', got '{pair.Actual}'")
            .ToList();

        Assert.Empty(wrong);
    }
}
