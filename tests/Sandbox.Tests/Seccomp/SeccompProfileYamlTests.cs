using Sandboxd.Isolation.Seccomp;
using Xunit;

namespace Sandboxd.Tests.Seccomp;

public sealed class SeccompProfileYamlTests
{
    public static TheoryData<string> BuiltinNames => new() { "default", "strict" };

    private static SeccompProfile Builtin(string name) => name == "default" ? BuiltinProfiles.Default : BuiltinProfiles.Strict;

    [Theory]
    [MemberData(nameof(BuiltinNames))]
    public void TheBuiltinIsTheShippedFileWithItsIncludes(string name)
    {
        var fromFile = SeccompProfileYaml.LoadFile(Path.Combine(SeccompTestPaths.ProfilesDir, name + ".yaml"));

        Assert.Equal(name, fromFile.Name);
        Assert.Equal(SeccompCompiler.Compile(fromFile), SeccompCompiler.Compile(Builtin(name)));
        // The shared argument denials come first, so strict's unconditional allows cannot shadow them.
        Assert.Equal("clone", Builtin(name).Rules[0].Name);
        Assert.NotEmpty(Builtin(name).Rules[0].Args);
    }

    [Fact]
    public void IncludesAreFilesBesideTheProfileOnly()
    {
        const string Yaml = "name: x\ninclude: [../secret]\ndefaultAction: allow\n";
        var error = Assert.Throws<SeccompCompileException>(() => SeccompProfileYaml.Load(Yaml, _ => "syscalls: []"));
        Assert.Contains("without a directory", error.Message, StringComparison.Ordinal);
        Assert.Throws<SeccompCompileException>(() => SeccompProfileYaml.Load("name: x\ninclude: [a]\ndefaultAction: allow\n"));
    }

    [Theory]
    [MemberData(nameof(BuiltinNames))]
    public void SaveThenLoadGivesTheSameProfile(string name)
    {
        var profile = Builtin(name);
        var loaded = SeccompProfileYaml.Load(SeccompProfileYaml.Save(profile));

        Assert.Equal(profile.Rules, loaded.Rules, RuleComparer.Instance);
        Assert.Equal(SeccompCompiler.Compile(profile), SeccompCompiler.Compile(loaded));
    }

    [Fact]
    public void ReadsNamesHexOctalAndAuditActions()
    {
        const string Yaml = """
            name: audited
            defaultAction: errno
            defaultErrno: 13
            archMismatchAction: errno
            archMismatchErrno: ENOSYS
            syscalls:
              - names: [execve, connect]
                action: log
              - names: [mknod]
                action: errno
                errno: EPERM
                args:
                  - { index: 1, op: maskedEqual, value: 0o60000, mask: 0xf000 }
            """;
        var profile = SeccompProfileYaml.Load(Yaml);

        Assert.Equal(SeccompAction.Errno, profile.DefaultAction);
        Assert.Equal(13, profile.DefaultErrno);
        Assert.Equal(38, profile.ArchMismatchErrno);
        Assert.Equal(["execve", "connect", "mknod"], profile.Rules.Select(rule => rule.Name));
        Assert.Equal(SeccompAction.Log, profile.Rules[0].Action);
        Assert.Equal(ArgFilter.MaskedEqual(1, 0xf000, 0x6000), profile.Rules[2].Args.Single());
    }

    [Theory]
    [InlineData("name: x\ndefaultAction: sometimes\n", "sometimes")]
    [InlineData("name: x\ndefaultAction: errno\n", "needs an errno")]
    [InlineData("name: x\ndefaultAction: allow\nsyscalls:\n  - names: [read]\n    action: errno\n    errno: EWHAT\n", "EWHAT")]
    [InlineData("name: x\ndefaultAction: allow\nsyscalls:\n  - names: [read]\n    action: allow\n    args:\n      - { index: 0, op: bigger, value: 1 }\n", "bigger")]
    [InlineData("name: x\ndefaultAction: allow\nsyscalls:\n  - names: [read]\n    action: allow\n    args:\n      - { index: 0, op: equal, value: 0xZZ }\n", "0xZZ")]
    [InlineData("name: x\ndefaultAction: [oops", "line")]
    public void BadFilesSayWhatIsWrong(string yaml, string expected)
    {
        var error = Assert.Throws<SeccompCompileException>(() => SeccompProfileYaml.Load(yaml));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private sealed class RuleComparer : IEqualityComparer<SyscallRule>
    {
        public static readonly RuleComparer Instance = new();

        public bool Equals(SyscallRule? x, SyscallRule? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Action == y.Action && x.Errno == y.Errno
            && x.Args.SequenceEqual(y.Args);

        public int GetHashCode(SyscallRule obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
