using Sandboxd.Core.State;

namespace Sandboxd.Core.Orchestration;

/// <summary>A verb the sandbox's current state does not allow (FAILED_PRECONDITION): the message
/// names the state and what would make the verb possible.</summary>
public sealed class SandboxStateException : Exception
{
    public SandboxStateException(string id, SandboxState state, string verb, string hint = "")
        : base($"sandbox {id} is {SandboxStates.Name(state)}: cannot {verb}{(hint.Length > 0 ? "; " + hint : "")}")
    {
    }

    public SandboxStateException(string message) : base(message)
    {
    }

    public SandboxStateException()
    {
    }

    public SandboxStateException(string message, Exception inner) : base(message, inner)
    {
    }
}
