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
    public List<SeccompRuleDocument> Syscalls { get; set; } = [];
}
