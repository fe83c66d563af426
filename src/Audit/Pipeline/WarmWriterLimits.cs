namespace Sandboxd.Audit.Pipeline;

/// <summary>How much the warm writer commits at once and how far it may run ahead of the merger.</summary>
internal readonly record struct WarmWriterLimits(int MaxBatch, int MaxStaged);
