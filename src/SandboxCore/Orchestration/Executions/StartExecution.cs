namespace Sandboxd.Core.Orchestration.Executions;

/// <summary>A command to start detached (an execution), as asked: checked by the orchestrator.</summary>
public sealed record StartExecution(string SandboxId, IReadOnlyList<string> Argv)
{
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public string Cwd { get; init; } = "";

    public string User { get; init; } = "";

    /// <summary>On a pty of <see cref="Rows"/> × <see cref="Cols"/> (0 = 24 × 80).</summary>
    public bool Tty { get; init; }

    public uint Rows { get; init; }

    public uint Cols { get; init; }

    /// <summary>Each output ring's size; 0 = 1 MiB.</summary>
    public uint BufferBytes { get; init; }

    /// <summary>The caller's name for it (E2B's process tag).</summary>
    public string Tag { get; init; } = "";
}
