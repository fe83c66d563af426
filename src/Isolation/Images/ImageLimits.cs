namespace Sandboxd.Isolation.Images;

/// <summary>What one import may unpack (sandboxd.yaml's images: section). The caps count what is
/// really written (a header claiming more fails at once), so a zip bomb stops at the cap.</summary>
public sealed record ImageLimits(long MaxBytes, long MaxEntries, bool KeepSetuid);
