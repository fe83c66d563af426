using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sandboxd.Core.Orchestration;

/// <summary>Where one create, exec or destroy spent its time, stage by stage, for `make bench`'s
/// breakdown. <see cref="Mark"/> charges the time since the previous mark to a stage; <see
/// cref="Span"/> charges an interval measured elsewhere (on init's receive thread, on a seccomp
/// listener) — all on the monotonic Stopwatch clock. Only made when --stage-timings is on, so
/// the normal path pays nothing but a null check.</summary>
public sealed class StageClock(string operation)
{
    private readonly Lock _gate = new();
    private readonly List<(string Stage, long Ticks)> _stages = new(16);
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _last = Stopwatch.GetTimestamp();
    private readonly Dictionary<string, long> _stamps = new(StringComparer.Ordinal);

    public void Mark(string stage)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _stages.Add((stage, now - _last));
            _last = now;
        }
    }

    /// <summary>An interval between two timestamps taken elsewhere; skipped when either is unset.</summary>
    public void Span(string stage, long from, long to)
    {
        if (from == 0 || to == 0 || to < from)
            return;
        lock (_gate)
            _stages.Add((stage, to - from));
    }

    /// <summary>Remembers the first time a named point was reached (e.g. the first execve answered).</summary>
    public void Stamp(string point, long at)
    {
        lock (_gate)
            _stamps.TryAdd(point, at);
    }

    public long At(string point)
    {
        lock (_gate)
            return _stamps.GetValueOrDefault(point);
    }

    /// <summary>The next <see cref="Mark"/> counts from here (after a run of spans).</summary>
    public void Resume(long at)
    {
        lock (_gate)
            _last = at;
    }

    /// <summary>"op=exec total=3120.5 checks=40.1 …" in microseconds: one line the bench parses.</summary>
    public string Format()
    {
        var total = Stopwatch.GetTimestamp() - _start;
        var line = new StringBuilder(256);
        line.Append(CultureInfo.InvariantCulture, $"op={operation}");
        line.Append(CultureInfo.InvariantCulture, $" total={Micros(total):F1}");
        lock (_gate)
        {
            foreach (var (stage, ticks) in _stages)
                line.Append(CultureInfo.InvariantCulture, $" {stage}={Micros(ticks):F1}");
        }
        return line.ToString();
    }

    private static double Micros(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
}
