using System.Globalization;
using System.Text;

namespace Sandboxd.Bench.Network;

/// <summary>The network bench's numbers and their table (markdown, like the lifecycle table).</summary>
/// <param name="DirectRate">MB/s host → test host; <paramref name="ProxiedRate"/> the same bytes
/// from inside the sandbox through its proxy.</param>
public sealed record NetworkResults(Samples DirectConnect, Samples ProxiedConnect, double DirectRate, double ProxiedRate,
    Samples NoneCreate, Samples EgressCreate)
{
    public const double RatioTarget = 0.8;
    public const double AddedLatencyTargetUs = 200;

    public string Render(string machine)
    {
        var addedP50 = (ProxiedConnect.P50Ms - DirectConnect.P50Ms) * 1000;
        var addedP99 = (ProxiedConnect.P99Ms - DirectConnect.P99Ms) * 1000;
        var ratio = ProxiedRate / DirectRate;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured {machine}\n\n");
        text.Append("| network | n | p50 | p99 | vs direct / target |\n|---|---:|---:|---:|---|\n");
        Row(text, "TCP connect, direct (host → test host)", DirectConnect, "—");
        Row(text, "CONNECT via proxy (sandbox → test host)", ProxiedConnect,
            string.Create(CultureInfo.InvariantCulture, $"added {addedP50:F0} µs p50, {addedP99:F0} µs p99 (target p50 ≤ {AddedLatencyTargetUs:F0} µs) {Verdict(addedP50 <= AddedLatencyTargetUs)}"));
        text.Append(CultureInfo.InvariantCulture,
            $"| throughput, direct | best of 3 | {DirectRate:F0} MB/s | | — |\n");
        text.Append(CultureInfo.InvariantCulture,
            $"| throughput via proxy | best of 3 | {ProxiedRate:F0} MB/s | | {ratio:F2}× direct (target ≥ {RatioTarget:F1}×) {Verdict(ratio >= RatioTarget)} |\n");
        Row(text, "create, network none", NoneCreate, "—");
        Row(text, "create, network egress", EgressCreate,
            string.Create(CultureInfo.InvariantCulture, $"+{EgressCreate.P50Ms - NoneCreate.P50Ms:F2} ms p50 for the network"));
        text.Append("\nAdded latency is the p50 (p99) difference. Both creates take a warm-pool sandbox.\n");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, Samples samples, string note)
    {
        // Connect rows are in µs; create rows in ms.
        if (samples.P99Ms < 5)
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {samples.Count} | {samples.P50Ms * 1000:F0} µs | {samples.P99Ms * 1000:F0} µs | {note} |\n");
        else
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {samples.Count} | {samples.P50Ms:F2} ms | {samples.P99Ms:F2} ms | {note} |\n");
    }

    private static string Verdict(bool pass) => pass ? "PASS" : "MISS";
}
