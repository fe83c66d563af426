namespace Sandboxd.Bench;

/// <summary>One line of the audit table: a measured value against its target (null = informational).</summary>
public sealed record AuditBenchRow(string Measure, string Value, string Target, bool? Passes);
