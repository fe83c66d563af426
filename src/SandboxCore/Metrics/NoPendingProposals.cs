using Sandboxd.Governance.Approval;

namespace Sandboxd.Core.Metrics;

/// <summary>Until governance proposals are wired into the daemon none can be pending; the wiring
/// registers its own <see cref="IPendingProposals"/> and this one gives way (TryAdd).</summary>
internal sealed class NoPendingProposals : IPendingProposals
{
    public int PendingCount() => 0;
}
