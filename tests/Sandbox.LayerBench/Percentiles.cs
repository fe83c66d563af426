using System.Globalization;

namespace Sandboxd.LayerBench;

internal static class Percentiles
{
    public static double Of(List<double> samples, double q)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
    }

    public static string Ms(double v) => v.ToString("F3", CultureInfo.InvariantCulture) + " ms";
}
