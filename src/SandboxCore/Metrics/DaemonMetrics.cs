using Prometheus;

namespace Sandboxd.Core.Metrics;

/// <summary>The daemon's Prometheus metrics, in a registry of its own (not prometheus-net's static
/// default, so two daemons in one test process never share a count). Events that happen (a verb
/// answered, a proxy decision) are counted where they happen; what is a state (sandboxes by
/// state, the pool, the audit queue) is read from its owner at each scrape by
/// <see cref="ScrapeSources"/>.</summary>
public sealed class DaemonMetrics
{
    // 0.5 ms to ~4.4 min, doubling: a pooled create (~1 ms) and an exec of a long build both land in a bucket.
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.0005, 2, 20);

    public DaemonMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        Create = Latency(factory, "sandboxd_create_duration_seconds", "Sandboxes.Create calls, from request to answer");
        Exec = Latency(factory, "sandboxd_exec_duration_seconds", "Sandboxes.Execute calls, from request to the command's exit status");
        ExecStart = Latency(factory, "sandboxd_exec_start_duration_seconds", "Executions.Start calls, from request to the command running");
        Destroy = Latency(factory, "sandboxd_destroy_duration_seconds", "Sandboxes.Destroy calls, from request to answer");
        EgressDecisions = factory.CreateCounter("sandboxd_egress_decisions_total",
            "Egress proxy decisions by verdict (allowed is counted when the connection ends) and protocol",
            new CounterConfiguration { LabelNames = ["verdict", "protocol"] });
        Sandboxes = factory.CreateGauge("sandboxd_sandboxes", "Sandboxes the daemon holds, by state",
            new GaugeConfiguration { LabelNames = ["state"] });
        PoolHits = factory.CreateCounter("sandboxd_warm_pool_hits_total", "Creates served by a prepared sandbox",
            new CounterConfiguration { LabelNames = ["profile", "image", "network"] });
        PoolMisses = factory.CreateCounter("sandboxd_warm_pool_misses_total", "Creates the pool could have served that found it empty",
            new CounterConfiguration { LabelNames = ["profile", "image", "network"] });
        PoolReady = factory.CreateGauge("sandboxd_warm_pool_ready", "Prepared sandboxes waiting to be taken",
            new GaugeConfiguration { LabelNames = ["profile", "image", "network"] });
        AuditEmitted = factory.CreateCounter("sandboxd_audit_events_total", "Audit events emitted");
        AuditSpilled = factory.CreateCounter("sandboxd_audit_spilled_total",
            "Audit events that found their lane full and went to the spill journal (kept, not dropped)");
        AuditWarmErrors = factory.CreateCounter("sandboxd_audit_warm_errors_total",
            "Warm-tier commits that failed (their batch went to the journal) and failed merges");
        AuditQueueDepth = factory.CreateGauge("sandboxd_audit_queue_depth", "Audit events emitted but not durable yet, by lane",
            new GaugeConfiguration { LabelNames = ["lane"] });
        AuditWarmLag = factory.CreateGauge("sandboxd_audit_warm_lag_rows",
            "Audit rows durable in warm's staging table but not merged into its indexed table yet");
        GovernancePending = factory.CreateGauge("sandboxd_governance_pending_proposals", "Governance proposals waiting for votes");
        DotNetStats.Register(Registry); // process_resident_memory_bytes, process_cpu_seconds_total, GC counts
    }

    public CollectorRegistry Registry { get; }

    public Histogram Create { get; }

    public Histogram Exec { get; }

    public Histogram ExecStart { get; }

    public Histogram Destroy { get; }

    public Counter EgressDecisions { get; }

    public Gauge Sandboxes { get; }

    public Counter PoolHits { get; }

    public Counter PoolMisses { get; }

    public Gauge PoolReady { get; }

    public Counter AuditEmitted { get; }

    public Counter AuditSpilled { get; }

    public Counter AuditWarmErrors { get; }

    public Gauge AuditQueueDepth { get; }

    public Gauge AuditWarmLag { get; }

    public Gauge GovernancePending { get; }

    private static Histogram Latency(MetricFactory factory, string name, string help)
    {
        var histogram = factory.CreateHistogram(name, help + " (seconds), by gRPC status code",
            new HistogramConfiguration { LabelNames = ["code"], Buckets = LatencyBuckets });
        histogram.WithLabels(nameof(Grpc.Core.StatusCode.OK)); // the series exists, at 0, before the first call
        return histogram;
    }
}
