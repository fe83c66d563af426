namespace Sandboxd.Governance.Approval;

/// <summary>The policy as it stood when the proposal was made, kept with it: a config reload does
/// not move the goalposts of a running vote.</summary>
/// <param name="Eligible">The people who may vote (proposer excluded): what "can it still pass" counts.</param>
public sealed record QuorumRules(int Required, IReadOnlyList<string> VotingRoles, IReadOnlyList<string> RequiredRoles,
    int DenyThreshold, bool EarlyRejection, TimeSpan UseWindow, IReadOnlyList<Person> Eligible);
