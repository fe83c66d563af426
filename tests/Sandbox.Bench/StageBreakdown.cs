using System.Globalization;
using System.Text;

namespace Sandboxd.Bench;

/// <summary>The p50 of each stage of one daemon operation over a scenario's timed runs, read from
/// the daemon's "sbx-stages" log lines (--stage-timings). Client + transport is what the client's
/// own time for the operation leaves after the daemon's total (p50 minus p50: approximate).</summary>
public sealed record StageBreakdown(string Operation, int Count, IReadOnlyList<(string Stage, double P50Us)> Stages, double? ClientP50Ms)
{
    public static StageBreakdown? From(string operation, IReadOnlyList<StageLine> lines, double? clientP50Ms)
    {
        if (lines.Count == 0)
            return null;
        var order = new List<string>();
        foreach (var line in lines)
            foreach (var stage in line.Stages.Keys)
                if (!order.Contains(stage))
                    order.Add(stage);
        var stages = order.Select(stage => (stage, Median(lines.Select(l => l.Stages.GetValueOrDefault(stage))))).ToList();
        return new StageBreakdown(operation, lines.Count, stages, clientP50Ms);
    }

    public string Render()
    {
        var text = new StringBuilder();
        var total = Stages.FirstOrDefault(s => s.Stage == "total").P50Us;
        var parts = Stages.Where(s => s.Stage != "total").ToList();
        text.Append(CultureInfo.InvariantCulture, $"| {Operation} (n={Count}) stage | p50 µs |\n|---|---:|\n");
        if (ClientP50Ms is { } client)
            text.Append(CultureInfo.InvariantCulture, $"| client + transport (client p50 − daemon total p50) | {client * 1000 - total:F0} |\n");
        foreach (var (stage, p50) in parts)
            text.Append(CultureInfo.InvariantCulture, $"| {Describe(stage)} | {p50:F0} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| daemon total | {total:F0} |\n\n");
        // The stage to look at first when the row misses (client + transport counted as one).
        var held = parts.Select(p => (Name: Describe(p.Stage), p.P50Us)).ToList();
        if (ClientP50Ms is { } clientMs)
            held.Add(("client + transport", clientMs * 1000 - total));
        if (held.Count > 0)
        {
            var most = held.MaxBy(h => h.P50Us);
            text.Append(CultureInfo.InvariantCulture, $"Holds the most time in {Operation}: {most.Name}, {most.P50Us:F0} µs of {(ClientP50Ms ?? total / 1000) * 1000:F0} µs.\n\n");
        }
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[(sorted.Length - 1) / 2];
    }

    /// <summary>The stage names beside the daemon's.</summary>
    private static string Describe(string stage) => stage switch
    {
        "checks" => "orchestrator: request checks, counters",
        "walk_wait" => "orchestrator: wait for the previous file walk",
        "audit_started" => "audit emit: ExecutionStarted",
        "init_fork" => "init round trip: send, fork, child setup, seccomp filter + listener handed over",
        "init_wake" => "init round trip: request sent → init awake with it",
        "fork" => "init round trip: fork (init received → child running)",
        "child_setup" => "init round trip: child setup (fds, ids, caps, no_new_privs, cwd)",
        "filter_load" => "init round trip: seccomp filter install (+ listener)",
        "listener_handoff" => "init round trip: child sends its listener → daemon has it",
        "execve_kernel" => "execve after the daemon's answer → init sees it done",
        "started_report" => "init round trip: init reports running → daemon has it",
        "to_execve" => "init round trip: listener thread start → first execve notified",
        "walk_gate" => "audited execve: waits for the previous execution's file walk",
        "execve_audit" => "audited execve notification: audit emit, answer",
        "execve_done" => "init round trip: execve completes, init reports it running",
        "process" => "the process itself (running → reaped, reported)",
        "drain" => "output drain",
        "audit_finished" => "audit emit: ExecutionFinished, queue the file walk",
        "counters" => "orchestrator: cgroup counters after",
        "response" => "transport: write the exit message",
        "pool_take" => "orchestrator: take from the warm pool, write limits",
        "launch" => "orchestrator: launch a new sandbox (pool empty)",
        "network" => "network attach / detach",
        "file_baseline" => "file audit baseline walk",
        "store" => "SQLite state store",
        "audit_emit" => "audit emit",
        "kill_reap" => "kill init, reap (pid namespace teardown)",
        "close" => "close control socket and layer fd",
        "cgroup_remove" => "cgroup remove",
        _ => stage,
    };
}
