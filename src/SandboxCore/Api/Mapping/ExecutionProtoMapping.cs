using Sandboxd.Core.Orchestration;
using Sandboxd.Core.Orchestration.Executions;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Core.Api.Mapping;

/// <summary>Commands and executions between the wire and the orchestrator.</summary>
public static class ExecutionProtoMapping
{
    public static V1.ExitStatus ToExitStatus(this CommandOutcome outcome)
    {
        var result = outcome.Result;
        return new V1.ExitStatus
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

    public static V1.ExecutionInfo ToInfo(this Execution e)
    {
        var exited = e.Exit.IsCompletedSuccessfully;
        var info = new V1.ExecutionInfo
        {
            ExecutionId = e.Id, SandboxId = e.SandboxId, Tag = e.Tag, Argv = { e.Argv }, Pid = e.Command.Pid, Tty = e.Command.IsTerminal,
            StartedUnixMs = e.StartedUnixMs, StdoutBytes = (ulong)e.Command.Stdout.End, StderrBytes = (ulong)e.Command.Stderr.End,
            State = exited ? V1.ExecutionState.Exited : V1.ExecutionState.Running,
        };
        if (exited)
            info.Exit = e.Exit.Result.ToExitStatus();
        return info;
    }

    public static CommandRequest FromProto(this V1.ExecuteRequest r) => new(r.SandboxId, r.Argv)
    {
        Env = r.Env, Cwd = r.Cwd, User = r.User, Stdin = r.Stdin.Memory, TimeoutMs = r.TimeoutMs,
    };

    public static StartExecution FromProto(this V1.StartExecutionRequest r) => new(r.SandboxId, r.Argv)
    {
        Env = r.Env, Cwd = r.Cwd, User = r.User, Tty = r.Tty, Rows = r.Rows, Cols = r.Cols, BufferBytes = r.BufferBytes, Tag = r.Tag,
    };
}
