namespace Sandboxd.Core.Orchestration;

public sealed class SandboxNotFoundException : Exception
{
    public SandboxNotFoundException(string id) : base($"sandbox {id} not found") { }

    public SandboxNotFoundException() { }

    public SandboxNotFoundException(string message, Exception inner) : base(message, inner) { }
}
