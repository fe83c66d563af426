using Sandboxd.Api.V1;
using Sandboxd.Isolation.Execution;

namespace Sandboxd.Core.Orchestration.Executions;

/// <summary>One execution the daemon keeps as an object: its command, its output rings and,
/// once it exited, its exit status.</summary>
public sealed class Execution(string id, string sandboxId, string tag, IReadOnlyList<string> argv, long startedUnixMs, BackgroundCommand command)
{
    private readonly TaskCompletionSource<ExitStatus> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    public string SandboxId { get; } = sandboxId;

    public string Tag { get; } = tag;

    public IReadOnlyList<string> Argv { get; } = argv;

    public long StartedUnixMs { get; } = startedUnixMs;

    public BackgroundCommand Command { get; } = command;

    /// <summary>Completes once the command exited and its outcome was recorded.</summary>
    public Task<ExitStatus> Exit => _exit.Task;

    internal void Finished(ExitStatus status) => _exit.TrySetResult(status);

    internal void Failed(Exception e) => _exit.TrySetException(e);

    public ExecutionInfo ToInfo()
    {
        var info = new ExecutionInfo
        {
            ExecutionId = Id, SandboxId = SandboxId, Tag = Tag, Argv = { Argv }, Pid = Command.Pid, Tty = Command.IsTerminal,
            StartedUnixMs = StartedUnixMs, StdoutBytes = (ulong)Command.Stdout.End, StderrBytes = (ulong)Command.Stderr.End,
            State = Exit.IsCompletedSuccessfully ? ExecutionState.Exited : ExecutionState.Running,
        };
        if (Exit.IsCompletedSuccessfully)
            info.Exit = Exit.Result;
        return info;
    }
}
