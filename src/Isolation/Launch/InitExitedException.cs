namespace Sandboxd.Isolation.Launch;

/// <summary>The sandbox's init is gone (it died, or was killed with its sandbox): a command sent to
/// it cannot start, and one that was running has lost its reaper. Distinct from a setup step that
/// failed, which the caller can fix; this sandbox is over.</summary>
public sealed class InitExitedException : Exception
{
    public InitExitedException() : base("the sandbox's init exited; the sandbox is gone")
    {
    }

    public InitExitedException(string message) : base(message)
    {
    }

    public InitExitedException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>A send to init that failed because its end of the control socket is closed.</summary>
    public static InitExitedException OnSend(int errno) =>
        new($"send to sandbox init: {Errno.Describe(errno)} — the sandbox's init exited; the sandbox is gone");
}
