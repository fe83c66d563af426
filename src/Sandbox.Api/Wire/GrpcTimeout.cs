using System.Globalization;

namespace Sandboxd.Api.Wire;

/// <summary>The <c>grpc-timeout</c> header: at most 8 ASCII digits and a unit
/// (H hours, M minutes, S seconds, m millis, u micros, n nanos).</summary>
public static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    // Finest first, so Format picks the most precise unit whose value still fits in 8 digits.
    private static readonly (char Unit, long Ticks)[] Units =
    [
        ('u', TimeSpan.TicksPerMicrosecond),
        ('m', TimeSpan.TicksPerMillisecond),
        ('S', TimeSpan.TicksPerSecond),
        ('M', TimeSpan.TicksPerMinute),
        ('H', TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
            return false;
        ReadOnlySpan<char> digits = value.AsSpan(0, value.Length - 1);
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
                return false;
        }
        long amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

        char unit = value[^1];
        if (unit == 'n')
        {
            // 100 ns per tick; round up so a tiny timeout does not become "no time at all".
            timeout = TimeSpan.FromTicks((amount + 99) / 100);
            return true;
        }
        foreach ((char u, long ticks) in Units)
        {
            if (u == unit)
            {
                timeout = TimeSpan.FromTicks(amount * ticks);
                return true;
            }
        }
        return false;
    }

    /// <summary>Formats a timeout in the coarsest unit that states it exactly ("100m", "5S");
    /// otherwise in the finest unit that fits, rounded up, so the server never sees a shorter
    /// deadline than the client keeps. Zero or negative becomes the smallest value, 1n.</summary>
    public static string Format(TimeSpan timeout)
    {
        long ticks = timeout.Ticks;
        if (ticks <= 0)
            return "1n";
        for (int i = Units.Length - 1; i >= 0; i--)
        {
            (char unit, long unitTicks) = Units[i];
            if (ticks % unitTicks == 0 && ticks / unitTicks <= MaxValue)
                return Create(ticks / unitTicks, unit);
        }
        if (ticks <= MaxValue / 100)
            return Create(ticks * 100, 'n');
        foreach ((char unit, long unitTicks) in Units)
        {
            long amount = (ticks / unitTicks) + (ticks % unitTicks == 0 ? 0 : 1);
            if (amount <= MaxValue)
                return Create(amount, unit);
        }
        return Create(MaxValue, 'H');
    }

    private static string Create(long amount, char unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{amount}{unit}");
}
