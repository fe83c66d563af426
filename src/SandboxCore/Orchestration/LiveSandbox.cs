using Sandboxd.Core.State;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>A sandbox this daemon runs: its record and its launched processes.</summary>
public sealed class LiveSandbox(SandboxRecord record, LaunchedSandbox launched)
{
    public SandboxRecord Record { get; set; } = record;

    public LaunchedSandbox Launched { get; } = launched;

    private long _executions;

    public string NextExecutionId() => $"{Record.Id}.{Interlocked.Increment(ref _executions)}";
}
