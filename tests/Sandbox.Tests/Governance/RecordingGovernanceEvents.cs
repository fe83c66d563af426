using System.Collections.Concurrent;
using Sandboxd.Governance.Events;

namespace Sandboxd.Tests.Governance;

internal sealed class RecordingGovernanceEvents : IGovernanceEvents
{
    public ConcurrentQueue<GovernanceEvent> All { get; } = new();

    public void Publish(GovernanceEvent change) => All.Enqueue(change);

    public IReadOnlyList<GovernanceEvent> For(string proposalId) => [.. All.Where(e => e.Proposal.Id == proposalId)];
}
