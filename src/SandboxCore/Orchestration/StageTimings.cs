using Microsoft.Extensions.Logging;

namespace Sandboxd.Core.Orchestration;

/// <summary>Hands out a <see cref="StageClock"/> per operation when --stage-timings is on and logs
/// each as one "sbx-stages …" line when it ends; the bench reads the daemon's log.</summary>
public sealed partial class StageTimings(bool enabled, ILogger<StageTimings> log)
{
    public StageClock? Begin(string operation) => enabled ? new StageClock(operation) : null;

    public void End(StageClock? clock)
    {
        if (clock is not null)
            LogStages(clock.Format());
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "sbx-stages {Stages}")]
    private partial void LogStages(string stages);
}
