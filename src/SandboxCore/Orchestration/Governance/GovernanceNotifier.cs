using Sandboxd.Governance.Events;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>The engine's sink: each step to the audit record, then a wake-up, by proposal id, to
/// whoever waits on that proposal (and when the create an approval made has its outcome).</summary>
public sealed class GovernanceNotifier(AuditGovernanceEvents audit) : IGovernanceEvents
{
    private readonly Lock _lock = new();
    private readonly List<Action<string>> _listeners = [];

    public void Publish(GovernanceEvent change)
    {
        audit.Publish(change);
        Notify(change.Proposal.Id);
    }

    public void Notify(string proposalId)
    {
        Action<string>[] listeners;
        lock (_lock)
            listeners = [.. _listeners];
        foreach (var listener in listeners)
            listener(proposalId);
    }

    public IDisposable Subscribe(Action<string> listener)
    {
        lock (_lock)
            _listeners.Add(listener);
        return new Subscription(this, listener);
    }

    private sealed class Subscription(GovernanceNotifier owner, Action<string> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
                owner._listeners.Remove(listener);
        }
    }
}
