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
    /// The arch-mismatch verdict stays: another ABI's numbers mean nothing to the listener.
    /// ENOSYS verdicts stay in the kernel too: they are compatibility answers, not refusals —
    /// glibc tries clone3 on every pthread_create and posix_spawn and falls back to clone on
    /// ENOSYS, so notifying it would cost each one a daemon round trip and fill the audit
    /// trail with noise that hides the denials that matter.</summary>
    public SeccompProfile WithDenialsNotified() => this with
    {
        DefaultAction = Notified(DefaultAction, DefaultErrno),
        Rules = [.. Rules.Select(rule => rule with { Action = Notified(rule.Action, rule.Errno) })],
    };

    private static SeccompAction Notified(SeccompAction action, int errno) =>
        action == SeccompAction.Errno && errno != Errno.ENOSYS ? SeccompAction.UserNotif : action;
}
