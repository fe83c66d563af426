using System.Collections.Concurrent;

namespace Sandboxd.Core.Orchestration.Executions;

/// <summary>A sandbox's executions by id. Running ones stay until they exit; of the exited ones
/// the newest <see cref="KeptExited"/> stay (with their buffers) for Attach, Wait and List.</summary>
public sealed class ExecutionTable
{
    public const int KeptExited = 64;

    private readonly ConcurrentDictionary<string, Execution> _byId = new(StringComparer.Ordinal);

    public void Add(Execution execution)
    {
        _byId[execution.Id] = execution;
        _ = execution.Exit.ContinueWith(_ => Trim(), TaskScheduler.Default);
    }

    public Execution Get(string sandboxId, string executionId) =>
        _byId.TryGetValue(executionId, out var e) ? e : throw new ExecutionNotFoundException(sandboxId, executionId);

    public IReadOnlyList<Execution> All() => _byId.Values.OrderBy(e => e.StartedUnixMs).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();

    private void Trim()
    {
        var exited = _byId.Values.Where(e => e.Exit.IsCompleted).OrderBy(e => e.StartedUnixMs).ToList();
        foreach (var old in exited.Take(Math.Max(0, exited.Count - KeptExited)))
            _byId.TryRemove(old.Id, out _);
    }
}
