namespace Sandboxd.Audit.Tiers.Cold;

/// <summary>The outcome of walking the hash chain: OK, or the first bad segment and why.</summary>
public sealed record ColdVerifyResult(int SegmentsChecked, long? BadSegment, string? File, string? Reason)
{
    public bool Ok => BadSegment is null && Reason is null;

    public static ColdVerifyResult Good(int checkedCount) => new(checkedCount, null, null, null);
}
