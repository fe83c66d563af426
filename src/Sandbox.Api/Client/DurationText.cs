using System.Globalization;

namespace Sandboxd.Api.Client;

/// <summary>Durations on command lines: "500ms", "30s", "15m", "2h", "1d" (a bare number is seconds).</summary>
public static class DurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1] switch { 's' => 1e3, 'm' => 6e4, 'h' => 3.6e6, 'd' => 8.64e7, _ => 0 })
            : (text, 1e3);
        if (unit == 0 || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 1e12)
            return false;
        duration = TimeSpan.FromMilliseconds(value * unit);
        return true;
    }

    public static TimeSpan Parse(string option, string text) =>
        TryParse(text, out var d) ? d : throw new ArgumentException($"{option} takes a duration like 30s, 15m, 2h or 500ms, not '{text}'");
}
