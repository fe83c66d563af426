using Sandboxd.Isolation.Execution;

namespace Sandboxd.Core.Orchestration.Executions;

/// <summary>One execution the daemon keeps as an object: its command, its output rings and,
/// once it exited, its exit status.</summary>
public sealed class Execution(string id, string sandboxId, string tag, IReadOnlyList<string> argv, long startedUnixMs, BackgroundCommand command)
{
    private readonly TaskCompletionSource<CommandOutcome> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;

    public string SandboxId { get; } = sandboxId;

    public string Tag { get; } = tag;

    public IReadOnlyList<string> Argv { get; } = argv;

    public long StartedUnixMs { get; } = startedUnixMs;

    public BackgroundCommand Command { get; } = command;

    /// <summary>Completes once the command exited and its outcome (exit status, limits hit) was recorded.</summary>
    public Task<CommandOutcome> Exit => _exit.Task;

    internal void Finished(CommandOutcome outcome) => _exit.TrySetResult(outcome);

    internal void Failed(Exception e) => _exit.TrySetException(e);
}
