namespace Sandboxd.Isolation.Namespaces;

/// <summary>Hands each user-namespace sandbox its own range of 65536 host ids, so root inside
/// one sandbox is an unprivileged uid on the host that no other sandbox (or host user) shares.
/// Ranges start far above the ids of real host users.</summary>
public sealed class UidRangeAllocator(uint firstBase = 1u << 20, int slots = 4096)
{
    public const uint RangeSize = 65536;
    private readonly bool[] _used = new bool[slots];
    private readonly Lock _lock = new();

    public uint Allocate()
    {
        lock (_lock)
        {
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i])
                    continue;
                _used[i] = true;
                return firstBase + (uint)i * RangeSize;
            }
        }
        throw new InvalidOperationException($"all {_used.Length} user-namespace id ranges are in use");
    }

    /// <summary>Marks a range recorded for a stopped sandbox as taken (after a daemon restart).</summary>
    public void Claim(uint rangeBase)
    {
        long slot = ((long)rangeBase - firstBase) / RangeSize;
        if (rangeBase < firstBase || (rangeBase - firstBase) % RangeSize != 0 || slot >= _used.Length)
            throw new ArgumentOutOfRangeException(nameof(rangeBase), $"{rangeBase} is not a range of this allocator");
        lock (_lock)
            _used[slot] = true;
    }

    public void Release(uint rangeBase)
    {
        lock (_lock)
            _used[(rangeBase - firstBase) / RangeSize] = false;
    }

    public static string MapFor(uint rangeBase) => $"0 {rangeBase} {RangeSize}\n";
}
