namespace Sandboxd.LayerBench;

/// <summary>One measured step: its p50/p99 and what it adds over the row it builds on.</summary>
internal sealed record LayerRow(string Name, int Count, double P50, double P99, string Versus);
