using Sandboxd.Isolation.Profiles;
using Sandboxd.Isolation.Seccomp;
using Xunit;

namespace Sandboxd.Tests.Seccomp;

/// <summary>The program whose denials notify the daemon decides like the plain one, and the
/// listener's reading of it gives back each denial's errno.</summary>
public sealed class NotifyingFilterTests
{
    private const uint UserNotif = (uint)SeccompAction.UserNotif;
    private const uint ErrnoAction = (uint)SeccompAction.Errno;
    private const uint Enosys = 38;

    private const ulong CloneNewUser = 0x10000000;
    private const ulong AfPacket = 17;
    private const ulong SockRaw = 3;
    private const ulong BlockDeviceMode = 0x6000 | 0x180; // S_IFBLK | 0600

    public static TheoryData<string> ProfileNames => ["default", "strict"];

    [Theory]
    [MemberData(nameof(ProfileNames))]
    public void EveryRefusalNotifiesAndTheListenerLearnsItsErrno(string name)
    {
        var profile = name == "default" ? BuiltinProfiles.Default : BuiltinProfiles.Strict;
        var plain = SeccompCompiler.Compile(profile);
        var filter = NotifyingFilter.Compile(profile);
        var refused = 0;

        foreach (var (nr, args) in Calls())
        {
            var before = BpfInterpreter.Run(plain, nr, args);
            var after = BpfInterpreter.Run(filter.Program, nr, args);
            if ((before & 0xffff0000) == ErrnoAction && (before & 0xffff) != Enosys)
            {
                refused++;
                Assert.Equal(UserNotif, after);
                Assert.Equal((int)(before & 0xffff), filter.ErrnoFor(BpfInterpreter.Data(SeccompData.AuditArchX8664, (uint)nr, args)));
            }
            else
            {
                Assert.Equal(before, after);
            }
        }

        Assert.True(refused > 50, $"only {refused} refused calls were tried");
    }

    [Fact]
    public void TheListenerReadsArgumentRulesAndTheirErrnos()
    {
        var filter = BuiltinSandboxProfiles.Default.SeccompFilter;

        Assert.Equal(1, ErrnoFor(filter, "clone", CloneNewUser));
        Assert.Equal(1, ErrnoFor(filter, "socket", AfPacket, SockRaw));
        Assert.Equal(1, ErrnoFor(filter, "socket", 2, SockRaw));
        Assert.Equal(1, ErrnoFor(filter, "mknodat", 0, 0, BlockDeviceMode));
        // clone3's ENOSYS is answered in the kernel, never notified (see WithDenialsNotified).
        Assert.Equal(ErrnoAction | Enosys, BpfInterpreter.Run(BuiltinSandboxProfiles.Default.SeccompProgram, SyscallTable.GetNumber("clone3")));
        // Audited calls run: the listener answers them with CONTINUE.
        Assert.Equal(0, ErrnoFor(filter, "execve"));
        Assert.Equal(0, ErrnoFor(filter, "connect"));
    }

    [Fact]
    public void ArchMismatchStaysKill()
    {
        var filter = NotifyingFilter.Compile(BuiltinProfiles.Strict);

        Assert.Equal((uint)SeccompAction.Kill, BpfInterpreter.Run(filter.Program, SeccompData.AuditArchI386, 20));
        Assert.Equal((uint)SeccompAction.Kill, BpfInterpreter.Run(filter.Program, SeccompData.AuditArchX8664, 0x40000000 | 39));
    }

    [Fact]
    public void ASandboxProfileInstallsTheNotifyingProgramUnlessDenialsAreNotAudited()
    {
        var profile = BuiltinSandboxProfiles.Default;
        var unshare = SyscallTable.GetNumber("unshare");
        Assert.Equal(UserNotif, BpfInterpreter.Run(profile.SeccompProgram, unshare));

        // `with` copies the compiled cache; the copy must not install the other profile's program.
        var quiet = profile with { AuditDeniedCalls = false };
        Assert.Equal(ErrnoAction | 1, BpfInterpreter.Run(quiet.SeccompProgram, unshare));
        Assert.Equal(UserNotif, BpfInterpreter.Run(quiet.SeccompProgram, SyscallTable.GetNumber("execve")));
        Assert.True(quiet.NotifiesDaemon);
    }

    [Fact]
    public void WithoutAListenerARefusedCallIsStillRefused()
    {
        // seccomp-run installs the program with no listener, as when the daemon is gone: the kernel
        // answers every notified call ENOSYS. Refused calls stay refused; allowed ones still work.
        var program = NotifyingFilter.Compile(BuiltinProfiles.Default).Program;

        var refused = SeccompRun.RunProgram(program, SeccompTestPaths.SyscallTry, "unshare_net");
        var allowed = SeccompRun.RunProgram(program, SeccompTestPaths.SyscallTry, "getpid");

        Assert.Equal("unshare_net errno=38 ENOSYS", refused.Stdout.Trim());
        Assert.Equal("getpid ok", allowed.Stdout.Trim());
    }

    private static int ErrnoFor(NotifyingFilter filter, string syscall, params ulong[] args) =>
        filter.ErrnoFor(BpfInterpreter.Data(SeccompData.AuditArchX8664, (uint)SyscallTable.GetNumber(syscall), args));

    /// <summary>Every number the table knows (and some it does not) with zero arguments, plus the
    /// argument cases the profiles look at.</summary>
    private static IEnumerable<(int Nr, ulong[] Args)> Calls()
    {
        for (var nr = 0; nr < 600; nr++)
            yield return (nr, []);
        yield return (9999, []);
        yield return (SyscallTable.GetNumber("clone"), [CloneNewUser]);
        yield return (SyscallTable.GetNumber("socket"), [AfPacket, SockRaw]);
        yield return (SyscallTable.GetNumber("socket"), [2, SockRaw]);
        yield return (SyscallTable.GetNumber("socket"), [2, 1]);
        yield return (SyscallTable.GetNumber("mknod"), [0, BlockDeviceMode]);
        yield return (SyscallTable.GetNumber("mknodat"), [0, 0, BlockDeviceMode]);
        yield return (SyscallTable.GetNumber("personality"), [0x0400000]);
        yield return (SyscallTable.GetNumber("personality"), [0xffffffff]);
    }
}
