namespace Sandboxd.Isolation.Network;

/// <summary>Setting up or tearing down a sandbox's network failed; the message names the step
/// ("nft: add sandbox chain: …", "ip: move veth into sandbox: …").</summary>
public sealed class NetworkSetupException : Exception
{
    public NetworkSetupException(string step, string detail)
        : base($"{step}: {detail}")
    {
        Step = step;
    }

    public NetworkSetupException(string message, Exception inner) : base(message, inner)
    {
        Step = "";
    }

    public NetworkSetupException(string message) : base(message)
    {
        Step = "";
    }

    public NetworkSetupException()
    {
        Step = "";
    }

    public string Step { get; }
}
