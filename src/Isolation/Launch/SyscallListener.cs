using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Isolation.Launch;

/// <summary>Answers one command's seccomp user notifications. An audited call is reported, then
/// let run (CONTINUE). A refused call is answered with the profile's errno first — it never runs,
/// and no answer from here can make it run — then reported, rate-limited
/// (<see cref="DenialRateLimit"/>), so a program looping on a refused call costs the audit record
/// a bounded number of events. A thread of its own (a parked one: <see cref="ListenerThreads"/>),
/// because the caller waits on every answer; it ends when no process using the filter is left.
/// If this listener is gone, notified calls fail with ENOSYS rather than run unseen.</summary>
internal static unsafe class SyscallListener
{
    public static void Start(int listener, NotifyingFilter filter, ICommandTag? tag, Action<SyscallNotice> report) =>
        ListenerThreads.Run(() => Run(listener, filter, tag, report));

    private static void Run(int listener, NotifyingFilter filter, ICommandTag? tag, Action<SyscallNotice> report)
    {
        var limit = new DenialRateLimit(TimeProvider.System);
        // Best effort (Linux >= 6.6): a refused call answered here then costs a direct switch to
        // this thread and back rather than a wake-up of whichever CPU is free.
        _ = Native.NotifSyncWakeUp(listener);
        try
        {
            byte* data = stackalloc byte[SeccompData.Size];
            while (true)
            {
                ulong id;
                int pid;
                if (Native.NotifRecv(listener, &id, &pid, data) != 1)
                    return;
                var received = System.Diagnostics.Stopwatch.GetTimestamp();
                var call = new ReadOnlySpan<byte>(data, SeccompData.Size);
                var errno = filter.ErrnoFor(call);
                if (errno != 0)
                {
                    Native.NotifDeny(listener, id, errno);
                    ReportDenied(limit, tag, pid, errno, call, report);
                    continue;
                }

                // Read what the call asks for while the caller still waits on us.
                var nr = SyscallArgs.Nr(call);
                var name = SyscallArgs.Name(nr);
                Report(report, new SyscallNotice(tag, pid, name, CallMemory.Describe(name, pid, call)) { Nr = nr, ReceivedAt = received });
                Native.NotifContinue(listener, id);
            }
        }
        finally
        {
            Native.Close(listener);
            foreach (var (slot, suppressed, errno) in limit.TakeAllSuppressed())
                Report(report, Summary(tag, slot, errno, suppressed));
        }
    }

    private static void ReportDenied(DenialRateLimit limit, ICommandTag? tag, int pid, int errno, ReadOnlySpan<byte> call, Action<SyscallNotice> report)
    {
        var nr = SyscallArgs.Nr(call);
        switch (limit.Admit(nr, errno))
        {
            case DenialAdmission.Record:
                var name = SyscallArgs.Name(nr);
                Report(report, new SyscallNotice(tag, pid, name, SyscallArgs.DescribeDenied(name, call)) { Nr = nr, DeniedErrno = errno });
                break;
            case DenialAdmission.Summarize:
                var (suppressed, lastErrno) = limit.TakeSuppressed(nr);
                Report(report, Summary(tag, nr, lastErrno, suppressed));
                break;
        }
    }

    private static SyscallNotice Summary(ICommandTag? tag, int nr, int errno, long suppressed) =>
        new(tag, 0, DenialRateLimit.SlotOf(nr) == DenialRateLimit.SlotCount ? "unknown" : SyscallArgs.Name(nr), "")
        {
            Nr = nr,
            DeniedErrno = errno,
            Suppressed = suppressed,
        };

    private static void Report(Action<SyscallNotice> report, SyscallNotice notice)
    {
        try
        {
            report(notice);
        }
        catch (Exception)
        {
            // Reporting must never hold the sandboxed process or end the listener.
        }
    }
}
