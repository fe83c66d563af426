namespace Sandboxd.Audit.Tiers.Hot;

/// <summary>The shared stream could not be reached, timed out, or refused a command. An
/// IOException, so the writer and the tail treat it like any other I/O failure: warm keeps the
/// events, and the tail retries from where it was.</summary>
public sealed class AuditStreamException : IOException
{
    public AuditStreamException()
    {
    }

    public AuditStreamException(string message)
        : base(message)
    {
    }

    public AuditStreamException(string message, Exception? inner)
        : base(message, inner)
    {
    }
}
