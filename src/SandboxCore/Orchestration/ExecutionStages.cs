using System.Diagnostics;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>Charges a command's way through init to named stages of its <see cref="StageClock"/>:
/// init forks and the child installs its filter (until its listener reaches the daemon), the
/// child reaches its first execve, that execve waits for the previous file walk, the daemon
/// audits it, the kernel finishes it and init reports it running, the program runs, its output drains.</summary>
public static class ExecutionStages
{
    public const string ExecveReceived = "execve_received";
    public const string ExecveGated = "execve_gated";
    public const string ExecveAnswered = "execve_answered";

    public static void Charge(StageClock? stages, CommandTimeline? timeline)
    {
        if (stages is null || timeline is null)
            return;
        var now = Stopwatch.GetTimestamp();
        if (timeline.ListenerAt == 0)
        {
            stages.Span("init_start", timeline.SentAt, timeline.StartedAt);
        }
        else
        {
            var received = stages.At(ExecveReceived);
            var gated = stages.At(ExecveGated);
            var answered = stages.At(ExecveAnswered);
            var init = timeline.Init;
            if (init.FilterAt == 0)
            {
                stages.Span("init_fork", timeline.SentAt, timeline.ListenerAt);
            }
            else
            {
                stages.Span("init_wake", timeline.SentAt, init.ReceivedAt);
                stages.Span("fork", init.ReceivedAt, init.ChildAt);
                stages.Span("child_setup", init.ChildAt, init.SetupAt);
                stages.Span("filter_load", init.SetupAt, init.FilterAt);
                stages.Span("listener_handoff", init.FilterAt, timeline.ListenerAt);
            }
            stages.Span("to_execve", timeline.ListenerAt, received);
            stages.Span("walk_gate", received, gated);
            stages.Span("execve_audit", gated, answered);
            if (init.ExecvedAt == 0)
            {
                stages.Span("execve_done", answered, timeline.StartedAt);
            }
            else
            {
                stages.Span("execve_kernel", answered, init.ExecvedAt);
                stages.Span("started_report", init.ExecvedAt, timeline.StartedAt);
            }
        }
        stages.Span("process", timeline.StartedAt, timeline.ExitedAt);
        stages.Span("drain", timeline.ExitedAt, now);
        stages.Resume(now);
    }
}
