namespace Sandboxd.Governance;

/// <summary>A refusal whose identity is <see cref="Error"/>; the message is for people.</summary>
public sealed class GovernanceException : Exception
{
    public GovernanceException(GovernanceError error, string message) : base(message) => Error = error;

    public GovernanceException() : this(GovernanceError.NotPending, "refused")
    {
    }

    public GovernanceException(string message) : this(GovernanceError.NotPending, message)
    {
    }

    public GovernanceException(string message, Exception inner) : base(message, inner) => Error = GovernanceError.NotPending;

    public GovernanceError Error { get; }
}
