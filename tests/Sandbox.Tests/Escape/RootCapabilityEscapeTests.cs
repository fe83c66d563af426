using Sandboxd.Isolation.Profiles;
using Sandboxd.Tests.Isolation;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Escape;

/// <summary>Root inside the default profile holds a container runtime's capabilities (issue 10
/// item 5). Each is tried here as a way out, for real, beside the escape suite's attempts: none
/// may work. Runs over the launcher, so the state root is this test's own.</summary>
public sealed class RootCapabilityEscapeTests
{
    /// <summary>Shell attempts the capabilities make worth trying ("NAME ok" only if it worked);
    /// HOST_PATH is a directory that exists only on the host.</summary>
    private const string CapabilityAttempts = """
        try chroot_breakout 'mkdir -p /tmp/c && python3 -c "
        import os
        os.chroot(\"/tmp/c\")
        for _ in range(64): os.chdir(\"..\")
        os.chroot(\".\")
        os.stat(\"HOST_PATH\")"'
        try unshare_user 'unshare -U true'
        try unshare_mount 'unshare -m true'
        try mount_tmpfs 'mount -t tmpfs x /mnt'
        try remount_usr_rw 'mount -o remount,rw /usr'
        try write_usr 'touch /usr/sbx-escape-probe'
        try write_proc_sys 'echo x > /proc/sys/kernel/hostname'
        try kill_init 'kill -KILL 1; sleep 0.3; ! kill -0 1'
        try setuid_unmapped 'python3 -c "import os; os.setuid(70000)"'
        try chown_unmapped 'echo x > /tmp/f && chown 70000 /tmp/f'
        try ambient_sys_admin 'python3 -c "
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.prctl(47, 2, 21, 0, 0) == 0"'
        try file_caps_beyond_bounding 'cp /usr/bin/grep /var/tmp/capgrep && python3 -c "
        import os, struct
        os.setxattr(\"/var/tmp/capgrep\", \"security.capability\", struct.pack(\"<IIIII\", 0x02000001, 0xffffffff, 0, 0xffffffff, 0))
        " && ! /var/tmp/capgrep -q "CapEff:.CAPEFF" /proc/self/status'
        try raw_socket 'python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, 1)"'
        try mknod_null 'mknod /tmp/null c 1 3'
        """;

    [RootFact]
    public async Task Root_inside_with_the_default_capabilities_finds_no_way_out()
    {
        using var one = new OneSandbox(BuiltinSandboxProfiles.Default);
        var loop = $"for n in {string.Join(' ', EscapeSuiteTests.Syscalls)}; do /tmp/syscall-try $n; done";
        var (_, syscalls) = await one.Sandbox.RunWithBinaryAsync(0, 0, RepoPaths.SyscallTry, loop);
        var results = Lines(syscalls);
        Assert.Equal(EscapeSuiteTests.Syscalls.Length, results.Count);
        Assert.DoesNotContain(results, r => r.EndsWith(" ok", StringComparison.Ordinal));

        var attempts = EscapeSuiteTests.FileAttempts + "\n" + CapabilityAttempts
            .Replace("HOST_PATH", RepoPaths.Root, StringComparison.Ordinal)
            .Replace("CAPEFF", RealProgramsInsideTests.ContainerRootCapEff, StringComparison.Ordinal);
        var (_, output) = await one.RunAsync(0, attempts);
        var lines = Lines(output);
        // The control proves the harness can report success; everything else must fail.
        Assert.Equal("control ok", lines[0]);
        Assert.Equal(attempts.Split('\n').Count(l => l.TrimStart().StartsWith("try ", StringComparison.Ordinal)), lines.Count);
        Assert.DoesNotContain(lines.Skip(1), r => r.EndsWith(" ok", StringComparison.Ordinal));
        Assert.Contains("chroot_breakout denied", lines);

        // init survived the kill, and root still holds exactly the set it was given.
        var (exit, after) = await one.RunAsync(0, "grep CapEff /proc/self/status");
        Assert.Equal(0, exit);
        Assert.Equal("CapEff:\t" + RealProgramsInsideTests.ContainerRootCapEff + "\n", after);
        Assert.False(File.Exists("/usr/sbx-escape-probe"));
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
