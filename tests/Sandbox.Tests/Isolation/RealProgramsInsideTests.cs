using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Profiles;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Isolation;

/// <summary>Ordinary programs that failed only inside a sandbox (issue 10, found with CPython's
/// regression tests), run for real inside one.</summary>
public sealed class RealProgramsInsideTests
{
    public static TheoryData<string> Profiles => new() { "default", "strict" };

    [RootTheory]
    [MemberData(nameof(Profiles))]
    public async Task Programs_list_the_sandbox_interfaces_through_netlink(string profile)
    {
        using var one = new OneSandbox(BuiltinSandboxProfiles.Find(profile)!);
        // if_nameindex and getifaddrs read NETLINK_ROUTE; ss reads NETLINK_SOCK_DIAG.
        var (exit, output) = await one.RunAsync(SandboxUser.Uid,
            "python3 -c 'import socket; print(socket.if_nameindex())' && ss -ltn >/dev/null && echo ss=ok");
        Assert.True(exit == 0, output);
        Assert.Contains("(1, 'lo')", output, StringComparison.Ordinal);
        Assert.Contains("ss=ok", output, StringComparison.Ordinal);
    }

    /// <summary>Docker's default capabilities without NET_RAW and MKNOD: CHOWN, DAC_OVERRIDE,
    /// FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, AUDIT_WRITE, SETFCAP.</summary>
    internal const string ContainerRootCapEff = "00000000a00405fb";

    private const string NoCapabilities = "0000000000000000";

    /// <summary>What chown, setgroups and tarfile need from root, printed for the test to read.</summary>
    private const string RootWork = """
        grep CapEff /proc/self/status
        echo x > /tmp/f && chown 1234:4321 /tmp/f && stat -c owner=%u:%g /tmp/f
        python3 -c 'import os; os.setgroups([5, 6]); os.initgroups("root", 0); print("groups ok")'
        python3 - <<'EOF'
        import io, os, tarfile
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w") as tar:
            info = tarfile.TarInfo("d/file")
            info.size, info.mode, info.mtime, info.uid, info.gid = 2, 0o4751, 1000000000, 1000, 1001
            tar.addfile(info, io.BytesIO(b"hi"))
        data.seek(0)
        with tarfile.open(fileobj=data) as tar:
            tar.errorlevel = 2
            tar.extractall("/tmp/x")
        st = os.stat("/tmp/x/d/file")
        print(f"tar {oct(st.st_mode & 0o7777)} {int(st.st_mtime)} {st.st_uid}:{st.st_gid}")
        EOF
        """;

    [RootFact]
    public async Task Root_inside_holds_a_container_runtimes_capabilities_and_chown_setgroups_and_tar_work()
    {
        using var one = new OneSandbox(BuiltinSandboxProfiles.Default);

        var (exit, output) = await one.RunAsync(0, RootWork);

        Assert.True(exit == 0, output);
        Assert.Equal(
            ["CapEff:\t" + ContainerRootCapEff, "owner=1234:4321", "groups ok", "tar 0o4751 1000000000 1000:1001"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [RootFact]
    public async Task The_sandbox_user_strict_root_and_root_without_a_user_namespace_hold_no_capability()
    {
        using (var one = new OneSandbox(BuiltinSandboxProfiles.Default))
            Assert.Equal(NoCapabilities, await CapEffAsync(one, SandboxUser.Uid));
        using (var one = new OneSandbox(BuiltinSandboxProfiles.Strict))
            Assert.Equal(NoCapabilities, await CapEffAsync(one, 0));
        using (var one = new OneSandbox(BuiltinSandboxProfiles.Default with { UserNamespace = false }))
            Assert.Equal(NoCapabilities, await CapEffAsync(one, 0));
    }

    private static async Task<string> CapEffAsync(OneSandbox one, uint uid)
    {
        var (exit, output) = await one.RunAsync(uid, "grep -E 'Cap(Eff|Prm|Bnd|Amb)' /proc/self/status");
        Assert.True(exit == 0, output);
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[1]).Distinct().ToList();
        return Assert.Single(values);
    }
}
