namespace Sandboxd.Isolation.Seccomp;

/// <summary>One YAML rule entry: several syscall names sharing one action and argument filters,
/// as in Docker's profile format. It expands to one <see cref="SyscallRule"/> per name.</summary>
internal sealed class SeccompRuleDocument
{
    public List<string> Names { get; set; } = [];
    public string Action { get; set; } = "";
    public string? Errno { get; set; }
    public List<ArgFilterDocument>? Args { get; set; }
}
