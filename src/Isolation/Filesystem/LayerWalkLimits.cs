namespace Sandboxd.Isolation.Filesystem;

/// <summary>Bounds on one walk of a writable layer, whose shape the sandbox chooses: entries
/// bound the time and the memory a snapshot keeps (~150 bytes each); depth bounds the fds held
/// open at once (one per level). What lies beyond either is reported as not seen, never guessed.</summary>
public sealed record LayerWalkLimits(int MaxEntries = 20_000, int MaxDepth = 32)
{
    public static LayerWalkLimits Default { get; } = new();
}
