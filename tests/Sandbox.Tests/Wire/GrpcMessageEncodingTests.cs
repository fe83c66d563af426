using Sandboxd.Api.Wire;
using Xunit;

namespace Sandboxd.Tests.Wire;

public sealed class GrpcMessageEncodingTests
{
    [Fact]
    public void PrintableAsciiPassesUnchangedWithoutACopy()
    {
        const string message = "sandbox 'x' not found: try `sandboxctl list` ~{}[]";
        Assert.Same(message, GrpcMessageEncoding.Encode(message));
    }

    [Theory]
    [InlineData("100%", "100%25")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("a\nb", "a%0Ab")]
    [InlineData("tab\t", "tab%09")]
    [InlineData("\u007F", "%7F")]
    [InlineData("🙂", "%F0%9F%99%82")]
    public void EncodesWhatIsNotPrintableAsciiAndPercent(string message, string expected)
    {
        Assert.Equal(expected, GrpcMessageEncoding.Encode(message));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("ünïcödé 100% \"quoted\"\r\n🙂 %41")]
    public void RoundTrips(string message)
    {
        Assert.Equal(message, GrpcMessageEncoding.Decode(GrpcMessageEncoding.Encode(message)));
    }

    [Theory]
    [InlineData("%c3%bc", "ü")] // lowercase hex is accepted
    [InlineData("%G1", "%G1")] // malformed escapes are kept as they are
    [InlineData("50%", "50%")]
    [InlineData("%4", "%4")]
    [InlineData(null, "")]
    public void DecodesLeniently(string? encoded, string expected)
    {
        Assert.Equal(expected, GrpcMessageEncoding.Decode(encoded));
    }
}
