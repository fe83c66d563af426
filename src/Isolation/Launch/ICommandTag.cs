namespace Sandboxd.Isolation.Launch;

/// <summary>What the caller attaches to a command it starts (its execution, the call that started
/// it): the command's seccomp listener hands every call the profile audits or refused to it, on
/// the listener thread, before an audited call runs (the process waits until it returns).</summary>
public interface ICommandTag
{
    void Observe(SyscallNotice notice);
}
