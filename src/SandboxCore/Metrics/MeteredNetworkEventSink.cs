using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Metrics;

/// <summary>Counts each proxy decision by verdict and protocol, then hands it on (to the audit sink).
/// Non-blocking, as the proxy requires: a counter increment.</summary>
public sealed class MeteredNetworkEventSink(INetworkEventSink inner, DaemonMetrics metrics) : INetworkEventSink
{
    public void Record(NetworkDecision decision)
    {
        metrics.EgressDecisions.WithLabels(decision.Allowed ? "allowed" : "denied", decision.Protocol).Inc();
        inner.Record(decision);
    }
}
