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
}
