using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.NetworkDaemon;

/// <summary>The proxy's decisions counted by verdict in a real scrape of the egress world's daemon:
/// one allowed and one denied connection move their counters by one each.</summary>
[Collection(EgressWorldCollection.Name)]
public sealed class EgressMetricsDaemonTests(EgressWorldFixture fixture)
{
    private const string Curl = "/usr/bin/curl";

    [RootFact]
    public async Task Proxy_decisions_are_counted_by_verdict_and_protocol()
    {
        var world = await fixture.GetAsync();
        var url = MetricsScrape.UrlFromLog(world.Daemon.Log);
        await world.WithEgressAsync(async sandbox =>
        {
            var before = await MetricsScrape.GetAsync(url);
            var allowed = await world.Daemon.Client.RunAsync(sandbox.Id, [Curl, "-sS", "-k", "--max-time", "5", "https://allowed.test/"]);
            Assert.True(allowed.Exit.ExitCode == 0, allowed.Stderr);
            await world.Daemon.Client.RunAsync(sandbox.Id, [Curl, "-sS", "-k", "--max-time", "5", "-o", "/dev/null", "https://denied.test/"]);
            // An allowed connection is decided when it ends, which the log shows.
            await world.WaitForLogAsync(sandbox.Id, "connect allowed.test:443", "allowed by");
            await world.WaitForLogAsync(sandbox.Id, "connect denied.test:443", "denied by");

            var after = await MetricsScrape.GetAsync(url);
            Assert.Equal("counter", after.Family("sandboxd_egress_decisions_total").Type);
            Assert.Equal(1, Delta(before, after, "allowed"));
            Assert.Equal(1, Delta(before, after, "denied"));
        });
    }

    private static double Delta(PrometheusText before, PrometheusText after, string verdict)
    {
        static double Of(PrometheusText scrape, string verdict) =>
            scrape.Families.TryGetValue("sandboxd_egress_decisions_total", out var family) && family.Samples.Any(s => s.Labels["verdict"] == verdict && s.Labels["protocol"] == "connect")
                ? scrape.Value("sandboxd_egress_decisions_total", ("verdict", verdict), ("protocol", "connect"))
                : 0;
        return Of(after, verdict) - Of(before, verdict);
    }
}
