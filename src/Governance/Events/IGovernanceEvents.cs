namespace Sandboxd.Governance.Events;

/// <summary>Where the engine reports each step once it is committed; the daemon turns them into
/// audit events (Governance does not know Audit). Called after the transaction, never inside it.</summary>
public interface IGovernanceEvents
{
    void Publish(GovernanceEvent change);
}
