namespace Sandboxd.Core.Orchestration.Executions;

/// <summary>The call does not fit the execution's state (its stdin closed, it exited); FAILED_PRECONDITION.</summary>
public sealed class ExecutionStateException : Exception
{
    public ExecutionStateException(string message) : base(message) { }

    public ExecutionStateException() { }

    public ExecutionStateException(string message, Exception inner) : base(message, inner) { }
}
