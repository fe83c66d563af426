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

    [LoggerMessage(5106, LogLevel.Error, "audit: merging staged warm rows failed; they stay staged and queryable")]
    public static partial void MergeFailed(ILogger log, Exception error);
}
