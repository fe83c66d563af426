namespace Sandboxd.Isolation.Seccomp;

/// <summary>One syscall's verdict, optionally only when its arguments match. Rules for the same
/// syscall are tried in profile order; the first whose filters all hold wins.</summary>
/// <param name="Name">The x86_64 syscall name (see <see cref="SyscallTable"/>).</param>
/// <param name="Action">What the kernel does on a match.</param>
/// <param name="Errno">The errno returned when <paramref name="Action"/> is <see cref="SeccompAction.Errno"/>.</param>
/// <param name="Args">Conditions that must all hold; empty matches every call.</param>
public sealed record SyscallRule(string Name, SeccompAction Action, int Errno, IReadOnlyList<ArgFilter> Args)
{
    /// <summary>An unconditional rule.</summary>
    public SyscallRule(string name, SeccompAction action, int errno = 0)
        : this(name, action, errno, [])
    {
    }
}
