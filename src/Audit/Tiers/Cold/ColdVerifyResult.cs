namespace Sandboxd.Audit.Tiers.Cold;

/// <summary>The outcome of walking the hash chain: OK, or the first bad segment and why.</summary>
public sealed record ColdVerifyResult(int SegmentsChecked, long? BadSegment, string? File, string? Reason)
{
    /// <summary>The newest segment the chain head (kept outside the segment directory) records;
    /// null when the store has no head or none was recorded yet.</summary>
    public long? Head { get; init; }

    public bool Ok => BadSegment is null && Reason is null;

    public static ColdVerifyResult Good(int checkedCount) => new(checkedCount, null, null, null);
}
