namespace Sandboxd.Audit.Tiers.Cold;

/// <summary>One line of the cold index: what a segment holds (for skipping it in queries) and its
/// place in the hash chain. <see cref="Chain"/> = SHA-256(segment bytes ‖ previous Chain).
/// <see cref="Sensitive"/>: sealed at once from the sensitive lane rather than by migration
/// (absent in index lines written before it existed, hence the default).</summary>
public sealed record ColdSegmentInfo(
    long Number,
    string File,
    long FirstTicks,
    long LastTicks,
    int Count,
    IReadOnlyList<string> SandboxIds,
    IReadOnlyList<string> Tenants,
    string Sha256,
    string Prev,
    string Chain,
    bool Sensitive = false);
