namespace Sandboxd.Core.Orchestration.Executions;

public sealed class ExecutionNotFoundException : Exception
{
    public ExecutionNotFoundException(string sandboxId, string executionId)
        : base($"execution_id: {executionId} not found in sandbox {sandboxId}") { }

    public ExecutionNotFoundException() { }

    public ExecutionNotFoundException(string message, Exception inner) : base(message, inner) { }
}
