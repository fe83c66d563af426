namespace Sandboxd.Bench;

/// <summary>Reads the stage lines a daemon started with --stage-timings logs for each create,
/// exec and destroy, between a mark and now.</summary>
public sealed class StageLog(BenchDaemon daemon)
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(3);

    public int Mark() => daemon.LogLineCount;

    /// <summary>The last <paramref name="count"/> lines of an operation logged since the mark (the
    /// timed runs follow the warm-up ones). The log arrives through a pipe, so it may lag a little.</summary>
    public async Task<IReadOnlyList<StageLine>> LastAsync(int mark, string operation, int count, Func<StageLine, bool>? where = null)
    {
        var deadline = DateTime.UtcNow + CatchUp;
        List<StageLine> lines;
        while (true)
        {
            lines = daemon.LogLinesFrom(mark).Select(StageLine.Parse)
                .Where(l => l is not null && l.Operation == operation && (where is null || where(l))).Select(l => l!).ToList();
            if (lines.Count >= count || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(50).ConfigureAwait(false);
        }
        return lines.TakeLast(count).ToList();
    }
}
