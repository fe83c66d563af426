using System.Diagnostics;

namespace Sandboxd.Bench;

/// <summary>Times the named steps inside a scenario (create, exec, destroy), so a full-cycle
/// miss points at the step that costs — e.g. a cgroup join that only hurts after idle.</summary>
public sealed class StepClock
{
    private readonly Dictionary<string, List<long>> _times = new(StringComparer.Ordinal);

    public IEnumerable<string> Steps => _times.Keys;

    public async Task<T> TimeAsync<T>(string step, Func<Task<T>> operation)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await operation();
        Record(step, start);
        return result;
    }

    public async Task TimeAsync(string step, Func<Task> operation)
    {
        var start = Stopwatch.GetTimestamp();
        await operation();
        Record(step, start);
    }

    /// <summary>The last <paramref name="count"/> times of a step: warm-up runs come first, so
    /// these are the measured ones.</summary>
    public Samples Last(string step, int count) => new(_times[step].TakeLast(count));

    public void Clear() => _times.Clear();

    private void Record(string step, long start)
    {
        if (!_times.TryGetValue(step, out var list))
            _times[step] = list = [];
        list.Add((long)((Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency)));
    }
}
