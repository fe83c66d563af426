using System.Diagnostics;
using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>Rides with a command into the sandbox's init and back on every audited call it
/// makes, so those events carry the execution and the API call (tenant, trace) that started it.
/// It also holds the command's first program start until the previous execution's file walk has
/// read the layer (<see cref="FilesSettled"/>): nothing of the command can change a file before
/// its first execve, so that walk's "after" is exactly this execution's "before", while neither
/// response waits for the walk.</summary>
public sealed record ExecutionTag(string SandboxId, string ExecutionId, AuditCorrelation Correlation, IAuditSink Audit) : ICommandTag
{
    /// <summary>On the command's listener, before an audited call runs (or after a refused one was
    /// answered): a program start may first wait for the previous execution's file walk.</summary>
    public void Observe(SyscallNotice notice)
    {
        BeforeAuditedCall(notice);
        Audit.Emit(SyscallAuditEvent.Kind(notice), Correlation, SandboxId, ExecutionId, SyscallAuditEvent.Attributes(notice));
        AfterAuditedCall(notice);
    }

    /// <summary>The walks queued before this execution; null when the command started after them.</summary>
    public Task? FilesSettled { get; init; }

    /// <summary>Where the execution's time goes, when --stage-timings is on.</summary>
    public StageClock? Stages { get; init; }

    /// <summary>On the listener thread, before the call runs: the caller waits on it.</summary>
    private void BeforeAuditedCall(SyscallNotice notice)
    {
        if (notice.DeniedErrno != 0 || notice.Syscall is not ("execve" or "execveat"))
            return;
        if (FilesSettled is { IsCompleted: false } walks)
            walks.Wait();
        if (Stages is { } stages)
        {
            stages.Stamp(ExecutionStages.ExecveReceived, notice.ReceivedAt);
            stages.Stamp(ExecutionStages.ExecveGated, Stopwatch.GetTimestamp());
        }
    }

    private void AfterAuditedCall(SyscallNotice notice)
    {
        if (Stages is { } stages && notice.DeniedErrno == 0 && notice.Syscall is "execve" or "execveat")
            stages.Stamp(ExecutionStages.ExecveAnswered, Stopwatch.GetTimestamp());
    }
}
