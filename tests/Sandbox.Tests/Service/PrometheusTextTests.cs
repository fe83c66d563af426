using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Service;

/// <summary>The scrape parser refuses what a Prometheus server would choke on, so the metrics
/// tests cannot pass on a malformed exposition.</summary>
public sealed class PrometheusTextTests
{
    private const string Histogram = """
        # HELP h_seconds A histogram.
        # TYPE h_seconds histogram
        h_seconds_bucket{code="OK",le="0.1"} 1
        h_seconds_bucket{code="OK",le="1"} 2
        h_seconds_bucket{code="OK",le="+Inf"} 3
        h_seconds_sum{code="OK"} 4.5
        h_seconds_count{code="OK"} 3
        # HELP g A gauge with \\ and a "quote".
        # TYPE g gauge
        g{state="run\"ning"} 1

        """;

    [Fact]
    public void A_well_formed_scrape_parses_with_its_labels_and_escapes()
    {
        var scrape = PrometheusText.Parse(Histogram);
        Assert.Equal(3, scrape.Value("h_seconds_count", ("code", "OK")));
        Assert.Equal(2, scrape.Value("h_seconds_bucket", ("code", "OK"), ("le", "1")));
        Assert.Equal(1, scrape.Value("g", ("state", "run\"ning")));
        Assert.Equal("A gauge with \\ and a \"quote\".", scrape.Family("g").Help);
    }

    [Theory]
    [InlineData("h_seconds_count{code=\"OK\"} 3", "h_seconds_count{code=\"OK\"} 2", "is not _count")]
    [InlineData("h_seconds_bucket{code=\"OK\",le=\"1\"} 2", "h_seconds_bucket{code=\"OK\",le=\"1\"} 0", "holds less than")]
    [InlineData("h_seconds_bucket{code=\"OK\",le=\"+Inf\"} 3\n", "", "no le=\"+Inf\"")]
    [InlineData("h_seconds_sum{code=\"OK\"} 4.5\n", "", "no _sum")]
    [InlineData("# TYPE g gauge\n", "", "belongs to no family")]
    [InlineData("g{state=\"run\\\"ning\"} 1", "g{state=run} 1", "not quoted")]
    [InlineData("# HELP g A gauge", "# HELP x A gauge", "g has no # HELP")]
    public void A_malformed_scrape_is_refused_naming_what_is_wrong(string replace, string with, string error)
    {
        var broken = Histogram.Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(Histogram, broken);
        var e = Assert.Throws<FormatException>(() => PrometheusText.Parse(broken));
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
    }
}
