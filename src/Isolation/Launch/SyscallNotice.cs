namespace Sandboxd.Isolation.Launch;

/// <summary>A call the daemon's seccomp listener saw: one the profile audits (execve, connect…),
/// seen before it ran, or one the profile refused (<see cref="DeniedErrno"/> set), answered with
/// that errno. Tag is what the caller attached to the command (it observes the notice). Detail is what
/// could be read of its arguments (the program path, the address, clone flags), best effort: the
/// process may be gone.</summary>
public sealed record SyscallNotice(ICommandTag? Tag, int Pid, string Syscall, string Detail)
{
    /// <summary>The x86_64 syscall number.</summary>
    public int Nr { get; init; }

    /// <summary>0 for an audited call that ran; otherwise the errno the refused call got.</summary>
    public int DeniedErrno { get; init; }

    /// <summary>For a summary of rate-limited denials: how many calls of this syscall were refused
    /// without an event of their own since the last summary (Pid and Detail are then empty).</summary>
    public long Suppressed { get; init; }

    /// <summary>When the listener read the notification (Stopwatch timestamp), for the stage breakdown.</summary>
    public long ReceivedAt { get; init; }
}
