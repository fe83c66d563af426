namespace Sandboxd.Bench;

/// <summary>The measured durations of one scenario, in nanoseconds, with nearest-rank percentiles.</summary>
public sealed class Samples
{
    private readonly long[] _sorted;

    public Samples(IEnumerable<long> nanoseconds)
    {
        _sorted = nanoseconds.Order().ToArray();
        if (_sorted.Length == 0)
            throw new ArgumentException("a scenario needs at least one sample", nameof(nanoseconds));
    }

    public int Count => _sorted.Length;

    public double P50Ms => PercentileMs(50);

    public double P99Ms => PercentileMs(99);

    /// <summary>Nearest rank: the smallest sample with at least p% of samples at or below it, so
    /// p99 of 200 samples is the 198th — a real observation, not an interpolation.</summary>
    public double PercentileMs(double p)
    {
        var rank = (int)Math.Ceiling(p / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)] / 1e6;
    }
}
