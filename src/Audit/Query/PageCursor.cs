using System.Globalization;
using System.Text;

namespace Sandboxd.Audit.Query;

/// <summary>Where a page ended: the (time, id) key of its last event. Every tier returns only
/// events strictly older than it, so paging stays exact while events move between tiers.</summary>
public readonly record struct PageCursor(long TimeTicks, string Id)
{
    public bool IsAfter(long timeTicks, string id) =>
        timeTicks < TimeTicks || (timeTicks == TimeTicks && string.CompareOrdinal(id, Id) < 0);

    public string Encode() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(TimeTicks.ToString(CultureInfo.InvariantCulture) + ":" + Id));

    public static PageCursor? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return null;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException e)
        {
            throw new ArgumentException("malformed audit page token", nameof(token), e);
        }
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
            throw new ArgumentException("malformed audit page token", nameof(token));
        return new PageCursor(ticks, text[(colon + 1)..]);
    }
}
