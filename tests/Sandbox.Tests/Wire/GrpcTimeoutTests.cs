using Sandboxd.Api.Wire;
using Xunit;

namespace Sandboxd.Tests.Wire;

public sealed class GrpcTimeoutTests
{
    [Theory]
    [InlineData("100m", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5S", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("200u", 200 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("1H", TimeSpan.TicksPerHour)]
    [InlineData("2M", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1000n", 10L)]
    [InlineData("1n", 1L)] // rounded up to one tick, never to zero
    [InlineData("0m", 0L)]
    [InlineData("99999999H", 99_999_999 * TimeSpan.TicksPerHour)]
    public void ParsesValidValues(string value, long expectedTicks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out TimeSpan timeout));
        Assert.Equal(expectedTicks, timeout.Ticks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("100")]
    [InlineData("123456789S")] // nine digits: the spec allows eight
    [InlineData("-1S")]
    [InlineData("1x")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    [InlineData("1s")] // units are case-sensitive: 's' is not seconds
    public void RejectsInvalidValues(string? value)
    {
        Assert.False(GrpcTimeout.TryParse(value, out _));
    }

    [Theory]
    [InlineData(100 * TimeSpan.TicksPerMillisecond, "100m")]
    [InlineData(5 * TimeSpan.TicksPerSecond, "5S")]
    [InlineData(90 * TimeSpan.TicksPerSecond, "90S")]
    [InlineData(TimeSpan.TicksPerHour, "1H")]
    [InlineData(1500 * TimeSpan.TicksPerMicrosecond, "1500u")]
    [InlineData(1L, "100n")]
    [InlineData(0L, "1n")]
    [InlineData(-5L, "1n")]
    public void FormatsInTheCoarsestExactUnit(long ticks, string expected)
    {
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void FormatRoundsUpAndCapsAtEightDigits()
    {
        // 1 s + 1 tick fits no unit exactly within 8 digits: microseconds, rounded up.
        TimeSpan odd = TimeSpan.FromSeconds(1) + TimeSpan.FromTicks(1);
        Assert.Equal("1000001u", GrpcTimeout.Format(odd));

        string max = GrpcTimeout.Format(TimeSpan.MaxValue);
        Assert.Equal("99999999H", max);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(12_345_678_901L)]
    [InlineData(987_654_321_987L)]
    public void FormatThenParseNeverShortens(long ticks)
    {
        TimeSpan original = TimeSpan.FromTicks(ticks);
        Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(original), out TimeSpan parsed));
        Assert.True(parsed >= original, $"{parsed} < {original}");
    }
}
