using Microsoft.Extensions.Logging;

namespace Sandboxd.Audit.Pipeline;

/// <summary>Audit pipeline log lines, ids 5100–5199.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(5100, LogLevel.Information, "audit: replayed {Count} journaled events into warm")]
    public static partial void Replayed(ILogger log, int count);

    [LoggerMessage(5101, LogLevel.Error, "audit: warm commit of {Count} events failed; they go to the journal")]
    public static partial void WarmFailed(ILogger log, int count, Exception error);

    [LoggerMessage(5102, LogLevel.Warning, "audit: the hot stream refused {Count} events (warm has them)")]
    public static partial void StreamFailed(ILogger log, int count, Exception error);

    [LoggerMessage(5103, LogLevel.Critical, "audit: the journal writer failed; flushes will fail until restart")]
    public static partial void JournalFailed(ILogger log, Exception error);

    [LoggerMessage(5104, LogLevel.Information, "audit: sealed {Count} warm events into cold segment {Segment}")]
    public static partial void Sealed(ILogger log, int count, long segment);

    [LoggerMessage(5105, LogLevel.Error, "audit: migration to cold failed")]
    public static partial void MigrationFailed(ILogger log, Exception error);

    [LoggerMessage(5106, LogLevel.Debug, "audit: sealed {Count} sensitive events into cold segment {Segment} at once")]
    public static partial void SealedSensitive(ILogger log, int count, long segment);

    [LoggerMessage(5107, LogLevel.Error, "audit: sealing {Count} sensitive events into cold failed; migration seals them from warm later")]
    public static partial void SensitiveSealFailed(ILogger log, int count, Exception error);

    [LoggerMessage(5108, LogLevel.Warning, "audit: the shared stream cannot be read; live tails show this daemon's events only until it is back")]
    public static partial void StreamTailFailed(ILogger log, Exception error);

    [LoggerMessage(5109, LogLevel.Information, "audit: the shared stream is readable again; live tails show every daemon's events")]
    public static partial void StreamTailResumed(ILogger log);

    [LoggerMessage(5110, LogLevel.Error, "audit: merging staged warm rows failed; they stay staged and queryable")]
    public static partial void MergeFailed(ILogger log, Exception error);
}
