using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Orchestration;

/// <summary>A sandbox this daemon runs: its record, its launched processes and, in egress mode,
/// its network attachment (which goes with it on destroy).</summary>
public sealed class LiveSandbox(SandboxRecord record, LaunchedSandbox launched, SandboxNetwork network, IEgressAttachment? egress,
    FileChangeRecorder files)
{
    public SandboxRecord Record { get; set; } = record;

    public LaunchedSandbox Launched { get; } = launched;

    public SandboxNetwork Network { get; } = network;

    public IEgressAttachment? Egress { get; } = egress;

    /// <summary>Audits what each execution did to the sandbox's files.</summary>
    public FileChangeRecorder Files { get; } = files;

    /// <summary>Its executions started through the Executions service.</summary>
    public Executions.ExecutionTable Executions { get; } = new();

    private long _executions;

    private long _lastActivity;

    /// <summary>When the last activity was seen (unix ms, the daemon's clock); 0 = not yet.</summary>
    public long LastActivityUnixMs => Volatile.Read(ref _lastActivity);

    public void Touch(long nowUnixMs) => Volatile.Write(ref _lastActivity, nowUnixMs);

    public string NextExecutionId() => $"{Record.Id}.{Interlocked.Increment(ref _executions)}";
}
