namespace Sandboxd.Bench;

/// <summary>One line of the table; peers and the floor have no comparison of their own.</summary>
public sealed record ResultRow(string Scenario, Samples Samples, Comparison? Against = null);
