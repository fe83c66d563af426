using System.Globalization;

namespace Sandboxd.Tests.Support;

/// <summary>Moves a daemon's clock (the daemon's test-only TestClock): the offset in ms from real
/// time, written to a file named by the daemon's environment.</summary>
public sealed class TestClockFile(TempRoot root)
{
    public string Path { get; } = System.IO.Path.Combine(root.Path, "clock-offset");

    public long OffsetMs { get; private set; }

    public IReadOnlyDictionary<string, string> Environment =>
        new Dictionary<string, string> { ["SANDBOXD_TEST_CLOCK_OFFSET_FILE"] = Path };

    /// <summary>Rewritten whole, with a fresh mtime the daemon notices.</summary>
    public void Set(TimeSpan offset)
    {
        OffsetMs = (long)offset.TotalMilliseconds;
        var temp = Path + ".new";
        File.WriteAllText(temp, OffsetMs.ToString(CultureInfo.InvariantCulture));
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddTicks(Random.Shared.Next(1, 10000)));
        File.Move(temp, Path, overwrite: true);
    }

    public void Advance(TimeSpan by) => Set(TimeSpan.FromMilliseconds(OffsetMs) + by);

    /// <summary>The daemon's now, as this clock file makes it.</summary>
    public long NowUnixMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + OffsetMs;
}
