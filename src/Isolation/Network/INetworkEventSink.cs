namespace Sandboxd.Isolation.Network;

/// <summary>Where proxy decisions go (the audit bus, the log; a list in tests). Called from
/// connection tasks: it must be thread-safe and must not block.</summary>
public interface INetworkEventSink
{
    void Record(NetworkDecision decision);
}
