using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>A command never ran: names the command and the step that failed inside the sandbox.</summary>
public sealed class CommandStartException : Exception
{
    public CommandStartException(string command, SandboxSetupException cause)
        : base($"command '{command}' did not start: {cause.Message}", cause)
    {
        Step = cause.Step;
        ErrorNumber = cause.ErrorNumber;
    }

    public CommandStartException() => Step = "";

    public CommandStartException(string message) : base(message) => Step = "";

    public CommandStartException(string message, Exception inner) : base(message, inner) => Step = "";

    public string Step { get; }

    public int ErrorNumber { get; }
}
