using System.Net;
using System.Net.Sockets;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Service;

/// <summary>`--metrics ADDR:PORT`: a real daemon scraped over HTTP, its answer parsed as the
/// Prometheus text format (families, labels, histogram consistency) and the values checked to
/// move with what the test did through the API.</summary>
public sealed class MetricsTests
{
    private static readonly (string, string)[] DefaultLane = [("profile", "default"), ("image", "default"), ("network", "none")];

    [RootFact]
    public async Task A_scrape_shows_sandboxes_by_state_the_verbs_latencies_the_pool_the_audit_queue_and_governance()
    {
        int port = MetricsScrape.FreePort();
        using var daemon = new DaemonProcess(["--metrics", $"127.0.0.1:{port}"]);
        var url = $"http://127.0.0.1:{port}/metrics";
        Assert.Equal(url, MetricsScrape.UrlFromLog(daemon.Log));

        var before = await MetricsScrape.GetAsync(url);
        Assert.Equal(0, before.Value("sandboxd_sandboxes", ("state", "running")));
        Assert.Equal("gauge", before.Family("sandboxd_sandboxes").Type);
        foreach (var histogram in new[] { "sandboxd_create_duration_seconds", "sandboxd_exec_duration_seconds", "sandboxd_destroy_duration_seconds" })
            Assert.Equal("histogram", before.Family(histogram).Type);
        Assert.Equal(0, before.Sum("sandboxd_exec_duration_seconds_count"));

        var sandbox = await daemon.Client.CreateAsync(new CreateRequest());
        Assert.Equal("metrics\n", (await daemon.Client.RunAsync(sandbox.Id, ["/bin/echo", "metrics"])).Stdout);
        var running = await MetricsScrape.GetAsync(url);
        Assert.Equal(1, running.Value("sandboxd_sandboxes", ("state", "running")));
        Assert.Equal(0, running.Value("sandboxd_sandboxes", ("state", "paused")));
        Assert.Equal(1, running.Value("sandboxd_create_duration_seconds_count", ("code", "OK")));
        Assert.True(running.Value("sandboxd_exec_duration_seconds_count", ("code", "OK")) >= 1);
        Assert.True(running.Value("sandboxd_exec_duration_seconds_sum", ("code", "OK")) > 0);
        // The create asked for nothing the default pool lacks: it was a hit or, if the pool was still filling, a miss.
        Assert.Equal(1, running.Value("sandboxd_warm_pool_hits_total", DefaultLane) + running.Value("sandboxd_warm_pool_misses_total", DefaultLane));
        Assert.True(running.Value("sandboxd_audit_events_total") > before.Value("sandboxd_audit_events_total"));
        foreach (var lane in new[] { "normal", "sensitive", "spill", "cold" })
            Assert.True(running.Value("sandboxd_audit_queue_depth", ("lane", lane)) >= 0);
        Assert.Equal(0, running.Value("sandboxd_audit_spilled_total"));
        Assert.True(running.Value("sandboxd_audit_warm_lag_rows") >= 0);
        Assert.Equal(0, running.Value("sandboxd_governance_pending_proposals"));

        await daemon.Client.PauseAsync(sandbox.Id);
        var paused = await MetricsScrape.GetAsync(url);
        Assert.Equal(0, paused.Value("sandboxd_sandboxes", ("state", "running")));
        Assert.Equal(1, paused.Value("sandboxd_sandboxes", ("state", "paused")));

        await daemon.Client.DestroyAsync(sandbox.Id);
        // A refused call is timed too, under its status code.
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => daemon.Client.RunAsync(sandbox.Id, ["/bin/true"]));
        var after = await MetricsScrape.GetAsync(url);
        Assert.Equal(0, after.Value("sandboxd_sandboxes", ("state", "paused")));
        Assert.Equal(1, after.Value("sandboxd_destroy_duration_seconds_count", ("code", "OK")));
        Assert.Equal(1, after.Sum("sandboxd_exec_duration_seconds_count") - after.Value("sandboxd_exec_duration_seconds_count", ("code", "OK")));
    }

    [RootFact]
    public async Task A_metrics_port_another_program_holds_is_logged_and_the_socket_still_serves()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        int port = ((IPEndPoint)holder.LocalEndpoint).Port;

        using var daemon = new DaemonProcess(["--metrics", $"127.0.0.1:{port}"]);

        var sandbox = await daemon.Client.CreateAsync(new CreateRequest());
        Assert.Equal("served\n", (await daemon.Client.RunAsync(sandbox.Id, ["/bin/echo", "served"])).Stdout);
        await daemon.Client.DestroyAsync(sandbox.Id);
        Assert.Contains($"metrics not served on 127.0.0.1:{port}", daemon.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("metrics on http://", daemon.Log, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_metrics_address_is_refused_at_start_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => Sandboxd.Core.Hosting.DaemonOptions.Parse(["--metrics", "nowhere:port"]));
        Assert.StartsWith("--metrics:", e.Message, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:9464", Sandboxd.Core.Hosting.DaemonOptions.Parse(["--metrics", "9464"]).Metrics!.ToString());
        Assert.Null(Sandboxd.Core.Hosting.DaemonOptions.Parse([]).Metrics);
    }
}
