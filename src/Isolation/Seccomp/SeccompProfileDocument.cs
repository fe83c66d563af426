namespace Sandboxd.Isolation.Seccomp;

/// <summary>The YAML shape of a profile file (profiles/seccomp/*.yaml). Strings where a person
/// writes names or hex ("errno: EPERM", "mask: 0x7e020080"); <see cref="SeccompProfileYaml"/>
/// turns it into a <see cref="SeccompProfile"/>.</summary>
internal sealed class SeccompProfileDocument
{
    public string Name { get; set; } = "";
    public string DefaultAction { get; set; } = "";
    public string? DefaultErrno { get; set; }
    public string? ArchMismatchAction { get; set; }
    public string? ArchMismatchErrno { get; set; }

    /// <summary>Rule files (names without ".yaml", beside this one) whose rules come before this
    /// file's own: rules several profiles share are written once.</summary>
    public List<string>? Include { get; set; }

    public List<SeccompRuleDocument> Syscalls { get; set; } = [];
}
