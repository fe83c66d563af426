using System.Globalization;
using Sandboxd.Audit.Events;

namespace Sandboxd.Bench;

/// <summary>A synthetic but realistic mix: many sandboxes, execution events with argv, exit and
/// usage, the odd network decision. Attribute sets are built once and cycled, so the timed loop
/// measures the pipeline, not this generator; 64k distinct sets keep the cold tier honest (the
/// compressor does not see one record repeated).</summary>
public sealed class AuditBenchEvents
{
    private const int Distinct = 65_536;
    private static readonly string[] Commands = ["python3", "/bin/sh", "node", "pip", "gcc", "make", "cat", "curl"];
    private readonly Dictionary<string, string>[] _attributes = new Dictionary<string, string>[Distinct];
    private readonly string[] _sandboxes;
    private readonly string[] _executions;
    private readonly AuditCorrelation[] _callers;

    public AuditBenchEvents(int sandboxes)
    {
        var random = new Random(42);
        _sandboxes = [.. Enumerable.Range(0, sandboxes).Select(i => "sbx-" + i.ToString("x12", CultureInfo.InvariantCulture))];
        _executions = [.. Enumerable.Range(0, sandboxes * 4).Select(i => _sandboxes[i % sandboxes] + "." + (i / sandboxes + 1).ToString(CultureInfo.InvariantCulture))];
        _callers = [.. Enumerable.Range(0, 16).Select(i => new AuditCorrelation("tenant-" + i.ToString(CultureInfo.InvariantCulture), "uid:0",
            TraceId: "trace-" + random.Next().ToString("x8", CultureInfo.InvariantCulture)))];
        for (int i = 0; i < Distinct; i++)
        {
            string command = Commands[random.Next(Commands.Length)];
            _attributes[i] = new Dictionary<string, string>
            {
                ["argv"] = $"[\"{command}\",\"/work/task-{random.Next(500)}.py\",\"--seed\",\"{random.Next(1000)}\"]",
                ["argv0"] = command,
                ["cwd"] = "/home/sandbox",
                ["exit"] = (random.Next(10) == 0 ? 1 : 0).ToString(CultureInfo.InvariantCulture),
                ["cpu_user_us"] = random.Next(2_000_000).ToString(CultureInfo.InvariantCulture),
                ["peak_memory_bytes"] = (random.Next(4096) * 4096L).ToString(CultureInfo.InvariantCulture),
                ["duration_us"] = random.Next(5_000_000).ToString(CultureInfo.InvariantCulture),
            };
        }
    }

    public int Sandboxes => _sandboxes.Length;

    public string Sandbox(int i) => _sandboxes[i % _sandboxes.Length];

    /// <summary>The i-th event's fields; deterministic, so every run ingests the same record.</summary>
    public (AuditKind Kind, AuditCorrelation Caller, string Sandbox, string Execution, Dictionary<string, string> Attributes) Get(long i)
    {
        int slot = (int)(i % _executions.Length);
        var kind = (i % 16) switch
        {
            0 => AuditKind.NetworkAllowed,
            < 8 => AuditKind.ExecutionStarted,
            _ => AuditKind.ExecutionFinished,
        };
        return (kind, _callers[slot % _callers.Length], _sandboxes[slot % _sandboxes.Length], _executions[slot], _attributes[i % Distinct]);
    }
}
