namespace Sandboxd.Isolation.Launch;

/// <summary>A sandbox found after a daemon restart cannot be re-adopted: its init is gone, is not
/// the one on record, or did not answer on the socket it keeps for a new daemon. The message says
/// which; the caller cleans the sandbox up instead.</summary>
public sealed class SandboxReadoptException : Exception
{
    public SandboxReadoptException(string message) : base(message)
    {
    }

    public SandboxReadoptException(string message, Exception inner) : base(message, inner)
    {
    }

    public SandboxReadoptException()
    {
    }
}
