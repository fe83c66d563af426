using System.Globalization;

namespace Sandboxd.Core.Hosting;

/// <summary>A test-only clock: the system's, moved by the number of milliseconds written in the
/// file named by SANDBOXD_TEST_CLOCK_OFFSET_FILE (re-read when the file changes). Only the
/// daemon's environment sets it, which takes root on the host; no API call reaches it. Lets a
/// test of an out-of-process daemon jump past an idle time or a TTL without sleeping.</summary>
public sealed class TestClock(string offsetFile) : TimeProvider
{
    public const string Variable = "SANDBOXD_TEST_CLOCK_OFFSET_FILE";

    private readonly Lock _lock = new();
    private DateTime _readAt;
    private long _offsetMs;

    public static TimeProvider? FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } file ? new TestClock(file) : null;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddMilliseconds(Offset());

    private long Offset()
    {
        lock (_lock)
        {
            var written = File.GetLastWriteTimeUtc(offsetFile);
            if (written != _readAt)
            {
                _readAt = written;
                _offsetMs = File.Exists(offsetFile) && long.TryParse(File.ReadAllText(offsetFile).Trim(), NumberStyles.Integer,
                    CultureInfo.InvariantCulture, out var ms) ? ms : 0;
            }
            return _offsetMs;
        }
    }
}
