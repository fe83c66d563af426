namespace Sandboxd.Bench;

/// <summary>One line of the table; peers and the floor have no comparison of their own. Ops are
/// the daemon operations the scenario is made of (create, exec, destroy), whose stage breakdown
/// the bench prints when the row misses its target.</summary>
public sealed record ResultRow(string Scenario, Samples Samples, Comparison? Against = null)
{
    public IReadOnlyList<StageBreakdown> Stages { get; init; } = [];
}
