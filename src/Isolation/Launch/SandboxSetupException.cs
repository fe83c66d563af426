namespace Sandboxd.Isolation.Launch;

/// <summary>A step of building or entering a sandbox failed; the message names the step and
/// errno ("pivot_root: EINVAL") and, where one is known, what to check.</summary>
public sealed class SandboxSetupException : Exception
{
    public SandboxSetupException(string step, int errno, string? hint = null)
        : base(Format(step, errno, hint))
    {
        Step = step;
        ErrorNumber = errno;
    }

    public SandboxSetupException(string message) : base(message)
    {
        Step = "";
    }

    public SandboxSetupException(string message, Exception inner) : base(message, inner)
    {
        Step = "";
    }

    public SandboxSetupException()
    {
        Step = "";
    }

    public string Step { get; }

    public int ErrorNumber { get; }

    private static string Format(string step, int errno, string? hint) =>
        hint is null ? $"{step}: {Errno.Describe(errno)}" : $"{step}: {Errno.Describe(errno)} — {hint}";
}
