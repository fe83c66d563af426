namespace Sandboxd.Isolation.Launch;

/// <summary>A call a profile audits (execve, connect…), seen by the daemon before it ran.
/// Tag is what the caller attached to the command (its execution id). Detail is what could be
/// read of its arguments (the program path, the address), best effort: the process may be gone.</summary>
public sealed record SyscallNotice(object? Tag, int Pid, string Syscall, string Detail);
