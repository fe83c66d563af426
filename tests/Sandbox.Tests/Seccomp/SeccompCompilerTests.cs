using Sandboxd.Isolation.Seccomp;
using Xunit;

namespace Sandboxd.Tests.Seccomp;

public sealed class SeccompCompilerTests
{
    private const uint Allow = (uint)SeccompAction.Allow;
    private const uint Kill = (uint)SeccompAction.Kill;
    private const uint Eperm = (uint)SeccompAction.Errno | 1;

    private static readonly int Mount = SyscallTable.GetNumber("mount");
    private static readonly int Clone = SyscallTable.GetNumber("clone");

    [Fact]
    public void HeaderChecksTheArchThenRejectsX32()
    {
        var code = SeccompCompiler.CompileInstructions(BuiltinProfiles.Default);

        Assert.Equal(new BpfInstruction(BpfInstruction.LoadWordAbsolute, 0, 0, SeccompData.ArchOffset), code[0]);
        Assert.Equal(new BpfInstruction(BpfInstruction.JumpIfEqual, 1, 0, 0xC000003E), code[1]);
        Assert.Equal(new BpfInstruction(BpfInstruction.Return, 0, 0, Kill), code[2]);
        Assert.Equal(new BpfInstruction(BpfInstruction.LoadWordAbsolute, 0, 0, SeccompData.NrOffset), code[3]);
        Assert.Equal(new BpfInstruction(BpfInstruction.JumpIfAnySet, 0, 1, 0x40000000), code[4]);
        Assert.Equal(new BpfInstruction(BpfInstruction.Return, 0, 0, Kill), code[5]);
        Assert.Equal(new BpfInstruction(BpfInstruction.Return, 0, 0, Allow), code[^1]);
    }

    [Fact]
    public void OtherAbisGetTheArchMismatchAction()
    {
        var program = SeccompCompiler.Compile(BuiltinProfiles.Default);

        // i386 getpid is 20; on x86_64 20 is writev, which the profile allows.
        Assert.Equal(Kill, BpfInterpreter.Run(program, SeccompData.AuditArchI386, 20));
        Assert.Equal(Kill, BpfInterpreter.Run(program, SeccompData.AuditArchX8664, 0x40000000 | 39));
        Assert.Equal(Allow, BpfInterpreter.Run(program, 39));

        var lenient = BuiltinProfiles.Default with { ArchMismatchAction = SeccompAction.Errno, ArchMismatchErrno = 38 };
        Assert.Equal((uint)SeccompAction.Errno | 38, BpfInterpreter.Run(SeccompCompiler.Compile(lenient), SeccompData.AuditArchI386, 20));
    }

    [Fact]
    public void EncodingIs8BytesLittleEndianPerInstruction()
    {
        var profile = new SeccompProfile("t", SeccompAction.Allow, 0, []);
        var program = SeccompCompiler.Compile(profile);

        Assert.Equal(7 * 8, program.Length);
        // jeq #0xc000003e, 1, 0: code 0x0015, jt 1, jf 0, k little-endian.
        Assert.Equal(new byte[] { 0x15, 0x00, 0x01, 0x00, 0x3e, 0x00, 0x00, 0xc0 }, program[8..16]);
        Assert.Equal(new byte[] { 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f }, program[^8..]);
    }

    [Fact]
    public void ReturnValuesAreTheKernelActionWords()
    {
        Assert.Equal(0x80000000u, SeccompCompiler.ReturnValue(SeccompAction.Kill, 0));
        Assert.Equal(0x00030000u, SeccompCompiler.ReturnValue(SeccompAction.Trap, 0));
        Assert.Equal(0x00050026u, SeccompCompiler.ReturnValue(SeccompAction.Errno, 38));
        Assert.Equal(0x7fc00000u, SeccompCompiler.ReturnValue(SeccompAction.UserNotif, 0));
        Assert.Equal(0x7ffc0000u, SeccompCompiler.ReturnValue(SeccompAction.Log, 0));
        Assert.Equal(0x7fff0000u, SeccompCompiler.ReturnValue(SeccompAction.Allow, 0));
        Assert.Throws<SeccompCompileException>(() => SeccompCompiler.ReturnValue(SeccompAction.Errno, 0));
        Assert.Throws<SeccompCompileException>(() => SeccompCompiler.ReturnValue(SeccompAction.Errno, 4096));
    }

    [Fact]
    public void DefaultProfileVerdicts()
    {
        var program = SeccompCompiler.Compile(BuiltinProfiles.Default);

        Assert.Equal(Eperm, Verdict(program, "mount"));
        Assert.Equal(Eperm, Verdict(program, "bpf"));
        Assert.Equal((uint)SeccompAction.Errno | 38, Verdict(program, "clone3"));
        Assert.Equal(Allow, Verdict(program, "read"));
        Assert.Equal(Allow, Verdict(program, "chroot"));
        Assert.Equal(Allow, Verdict(program, "clone", 0x01200011)); // fork(): CLONE_CHILD_SETTID|CLEARTID|SIGCHLD
        Assert.Equal(Eperm, Verdict(program, "clone", 0x20000 | 17));
        Assert.Equal(Eperm, Verdict(program, "clone", 0x10000000 | 17));
        Assert.Equal(Eperm, Verdict(program, "mknod", 0, 0x6000 | 0600));
        Assert.Equal(Eperm, Verdict(program, "mknodat", 0, 0, 0x2000 | 0600));
        Assert.Equal(Allow, Verdict(program, "mknodat", 0, 0, 0x1000 | 0600)); // FIFO
        Assert.Equal(Allow, Verdict(program, "mknod", 0, 0x8000 | 0600));      // regular file
        Assert.Equal(Eperm, Verdict(program, "socket", 17, 3));
        Assert.Equal(Eperm, Verdict(program, "socket", 0xFFFFFFFF_00000011, 3)); // garbage in the upper half of an int
        Assert.Equal(Eperm, Verdict(program, "socket", 2, 3 | 0x80000));         // SOCK_RAW|SOCK_CLOEXEC
        Assert.Equal(Allow, Verdict(program, "socket", 2, 1 | 0x80000));
        Assert.Equal(Allow, Verdict(program, "personality", 0xffffffff));
        Assert.Equal(Allow, Verdict(program, "personality", 0));
        Assert.Equal(Eperm, Verdict(program, "personality", 6));
    }

    [Fact]
    public void StrictProfileVerdicts()
    {
        var program = SeccompCompiler.Compile(BuiltinProfiles.Strict);

        Assert.Equal(Allow, Verdict(program, "read"));
        Assert.Equal(Allow, Verdict(program, "execve"));
        Assert.Equal(Allow, Verdict(program, "clone", 0x01200011));
        Assert.Equal(Eperm, Verdict(program, "clone", 0x40000000 | 17));
        Assert.Equal(Eperm, Verdict(program, "mount"));
        Assert.Equal(Eperm, Verdict(program, "setuid"));
        Assert.Equal(Eperm, Verdict(program, "socket", 2, 3));
        Assert.Equal(Allow, Verdict(program, "socket", 1, 1));
        Assert.Equal(Allow, Verdict(program, "personality", 0x20008));
        Assert.Equal(Eperm, Verdict(program, "personality", 6));
        Assert.Equal(Eperm, BpfInterpreter.Run(program, 9999)); // unknown numbers get the default
    }

    private static uint Verdict(byte[] program, string syscall, params ulong[] args) =>
        BpfInterpreter.Run(program, SyscallTable.GetNumber(syscall), args);

    [Fact]
    public void Over300RulesKeepEveryJumpShortAndEveryVerdictRight()
    {
        // Every syscall, each with its own errno so a wrong jump shows as a wrong verdict.
        var names = SyscallTable.Names.OrderBy(SyscallTable.GetNumber).ToArray();
        Assert.True(names.Length > 300);
        var rules = names.Select((name, i) => new SyscallRule(name, SeccompAction.Errno, 1 + i)).ToArray();
        var program = SeccompCompiler.Compile(new SeccompProfile("many", SeccompAction.Allow, 0, rules));

        for (var i = 0; i < names.Length; i++)
            Assert.Equal((uint)SeccompAction.Errno | (uint)(1 + i), BpfInterpreter.Run(program, SyscallTable.GetNumber(names[i])));
        Assert.Equal(Allow, BpfInterpreter.Run(program, 9999));
    }

    [Fact]
    public void ASyscallBodyLongerThan255InstructionsIsSkippedWithJa()
    {
        // 120 argument rules for mount: ~360 instructions in one body, too far for an 8-bit jf.
        var rules = Enumerable.Range(0, 120)
            .Select(i => new SyscallRule("mount", SeccompAction.Errno, 1 + i, [ArgFilter.Equal(3, (ulong)i)]))
            .Append(new SyscallRule("getpid", SeccompAction.Errno, 999))
            .ToArray();
        var profile = new SeccompProfile("long", SeccompAction.Allow, 0, rules);
        var code = SeccompCompiler.CompileInstructions(profile);
        var program = SeccompCompiler.Compile(profile);

        Assert.Equal(new BpfInstruction(BpfInstruction.JumpIfEqual, 1, 0, (uint)Mount), code[6]);
        Assert.Equal(BpfInstruction.JumpAlways, code[7].Code);
        Assert.True(code[7].K > 255);
        Assert.Equal((uint)SeccompAction.Errno | 999, BpfInterpreter.Run(program, SyscallTable.GetNumber("getpid")));
        Assert.Equal((uint)SeccompAction.Errno | 120, BpfInterpreter.Run(program, Mount, 0, 0, 0, 119));
        Assert.Equal((uint)SeccompAction.Errno | 1, BpfInterpreter.Run(program, Mount, 0, 0, 0, 0));
        Assert.Equal(Allow, BpfInterpreter.Run(program, Mount, 0, 0, 0, 120));
        Assert.Equal(Allow, BpfInterpreter.Run(program, Mount, 0, 0, 0, 1UL << 32)); // the high half counts for Equal
    }

    [Theory]
    [InlineData(ArgOp.Equal, 0x1_0000_0005UL, ulong.MaxValue, 0x1_0000_0005UL, true)]
    [InlineData(ArgOp.Equal, 0x1_0000_0005UL, ulong.MaxValue, 0x5UL, false)]
    [InlineData(ArgOp.Equal, 0x1_0000_0005UL, ulong.MaxValue, 0x2_0000_0005UL, false)]
    [InlineData(ArgOp.NotEqual, 0x1_0000_0005UL, ulong.MaxValue, 0x1_0000_0005UL, false)]
    [InlineData(ArgOp.NotEqual, 0x1_0000_0005UL, ulong.MaxValue, 0x5UL, true)]
    [InlineData(ArgOp.NotEqual, 0x1_0000_0005UL, ulong.MaxValue, 0x1_0000_0006UL, true)]
    [InlineData(ArgOp.MaskedEqual, 0x6000UL, 0xF000UL, 0x61a4UL, true)]
    [InlineData(ArgOp.MaskedEqual, 0x6000UL, 0xF000UL, 0x21a4UL, false)]
    [InlineData(ArgOp.MaskedEqual, 0x8_0000_0000UL, 0xF_0000_0000UL, 0x8_0000_1234UL, true)]
    [InlineData(ArgOp.MaskedEqual, 0x8_0000_0000UL, 0xF_0000_0000UL, 0x9_0000_0000UL, false)]
    [InlineData(ArgOp.MaskedNotEqual, 0x0UL, 0x7e020080UL, 0x11UL, false)]
    [InlineData(ArgOp.MaskedNotEqual, 0x0UL, 0x7e020080UL, 0x20011UL, true)]
    [InlineData(ArgOp.MaskedNotEqual, 0x0UL, 0x1_0000_0001UL, 0x1_0000_0000UL, true)]
    [InlineData(ArgOp.MaskedNotEqual, 0x0UL, 0x1_0000_0001UL, 0x2_0000_0002UL, false)]
    [InlineData(ArgOp.MaskedNotEqual, 0x1_0000_0000UL, 0xF_0000_0000UL, 0x1_0000_0000UL, false)]
    [InlineData(ArgOp.MaskedNotEqual, 0x1_0000_0000UL, 0xF_0000_0000UL, 0x2_0000_0000UL, true)]
    [InlineData(ArgOp.MaskedNotEqual, 0x0UL, 0x0UL, 0x5UL, false)]
    public void ArgumentComparisonsUseBothHalves(ArgOp op, ulong value, ulong mask, ulong arg, bool matches)
    {
        var rule = new SyscallRule("mount", SeccompAction.Errno, 1, [new ArgFilter(2, op, value, mask)]);
        var program = SeccompCompiler.Compile(new SeccompProfile("t", SeccompAction.Allow, 0, [rule]));

        Assert.Equal(matches ? Eperm : Allow, BpfInterpreter.Run(program, Mount, 0, 0, arg));
    }

    [Fact]
    public void AllFiltersOfARuleMustHoldAndTheFirstMatchingRuleWins()
    {
        var profile = new SeccompProfile("t", SeccompAction.Allow, 0,
        [
            new SyscallRule("clone", SeccompAction.Errno, 1, [ArgFilter.Equal(0, 1), ArgFilter.Equal(1, 2)]),
            new SyscallRule("clone", SeccompAction.Errno, 2, [ArgFilter.Equal(0, 1)]),
            new SyscallRule("clone", SeccompAction.Log),
            new SyscallRule("clone", SeccompAction.Errno, 3), // unreachable
        ]);
        var program = SeccompCompiler.Compile(profile);

        Assert.Equal(Eperm, BpfInterpreter.Run(program, Clone, 1, 2));
        Assert.Equal((uint)SeccompAction.Errno | 2, BpfInterpreter.Run(program, Clone, 1, 3));
        Assert.Equal((uint)SeccompAction.Log, BpfInterpreter.Run(program, Clone, 5, 2));
    }

    [Fact]
    public void InvalidProfilesFailWithAClearMessage()
    {
        static SeccompProfile With(params SyscallRule[] rules) => new("bad", SeccompAction.Allow, 0, rules);

        var unknown = Assert.Throws<SeccompCompileException>(() => SeccompCompiler.Compile(With(new SyscallRule("no_such_call", SeccompAction.Allow))));
        Assert.Contains("no_such_call", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<SeccompCompileException>(() => SeccompCompiler.Compile(With(new SyscallRule("read", SeccompAction.Allow, 0, [ArgFilter.Equal(6, 0)]))));
        Assert.Throws<SeccompCompileException>(() => SeccompCompiler.Compile(With(new SyscallRule("read", SeccompAction.Allow, 0, [ArgFilter.MaskedEqual(0, 0xF, 0x10)]))));
        Assert.Throws<SeccompCompileException>(() => SeccompCompiler.Compile(With(new SyscallRule("read", SeccompAction.Errno, 0))));
    }

    [Fact]
    public void MoreThan4096InstructionsIsRefused()
    {
        var rules = Enumerable.Range(0, 1400)
            .Select(i => new SyscallRule("ioctl", SeccompAction.Errno, 1, [ArgFilter.Equal32(1, (uint)i)]))
            .ToArray();

        var error = Assert.Throws<SeccompCompileException>(() => SeccompCompiler.Compile(new SeccompProfile("huge", SeccompAction.Allow, 0, rules)));
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
    }
}
