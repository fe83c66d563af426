namespace Sandboxd.Core.Network;

/// <summary>A network operation on a sandbox created without egress (FAILED_PRECONDITION).</summary>
public sealed class NetworkNotEnabledException : Exception
{
    public NetworkNotEnabledException(string sandboxId)
        : base($"sandbox {sandboxId} has no network (created with NETWORK_MODE_NONE); egress is chosen at create")
    {
    }

    public NetworkNotEnabledException()
    {
    }

    public NetworkNotEnabledException(string message, Exception inner) : base(message, inner)
    {
    }
}
