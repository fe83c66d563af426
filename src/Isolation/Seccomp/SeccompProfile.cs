namespace Sandboxd.Isolation.Seccomp;

/// <summary>A seccomp policy as data: what to do by default, what to do with calls from another
/// ABI (i386, x32), and the per-syscall rules. <see cref="SeccompCompiler"/> turns it into BPF.</summary>
/// <param name="Name">A name for logs and audit events.</param>
/// <param name="DefaultAction">The verdict for syscalls no rule matches.</param>
/// <param name="DefaultErrno">The errno when <paramref name="DefaultAction"/> is Errno.</param>
/// <param name="Rules">Per-syscall rules, tried in order within one syscall.</param>
public sealed record SeccompProfile(
    string Name,
    SeccompAction DefaultAction,
    int DefaultErrno,
    IReadOnlyList<SyscallRule> Rules)
{
    /// <summary>The verdict for a call made through another ABI (i386 via int 0x80, x32).
    /// Kill by default: syscall numbers differ per ABI, so the rules cannot speak for them.</summary>
    public SeccompAction ArchMismatchAction { get; init; } = SeccompAction.Kill;

    /// <summary>The errno when <see cref="ArchMismatchAction"/> is Errno.</summary>
    public int ArchMismatchErrno { get; init; }

    /// <summary>This profile with every errno verdict (rules and the default) turned into a user
    /// notification, so the daemon sees each denied call and answers it with that errno itself.
    /// The arch-mismatch verdict stays: another ABI's numbers mean nothing to the listener.</summary>
    public SeccompProfile WithDenialsNotified() => this with
    {
        DefaultAction = Notified(DefaultAction),
        Rules = [.. Rules.Select(rule => rule with { Action = Notified(rule.Action) })],
    };

    private static SeccompAction Notified(SeccompAction action) =>
        action == SeccompAction.Errno ? SeccompAction.UserNotif : action;
}
