using Sandboxd.Api.V1;

namespace Sandboxd.Core.Orchestration;

public static class ExecutionMapping
{
    public static ExitStatus ToExitStatus(CommandOutcome outcome)
    {
        var result = outcome.Result;
        return new ExitStatus
        {
            ExecutionId = outcome.ExecutionId,
            OomKilled = outcome.OomKilled,
            PidsLimitHit = outcome.PidsLimitHit,
            ExitCode = result.ExitCode,
            Signal = result.Signal,
            TimedOut = result.TimedOut,
            WallTimeUs = (long)result.WallTime.TotalMicroseconds,
            UserCpuUs = result.UserCpuUs,
            SystemCpuUs = result.SystemCpuUs,
            PeakMemoryBytes = result.PeakMemoryBytes,
        };
    }
}
