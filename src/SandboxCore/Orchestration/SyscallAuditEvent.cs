using System.Globalization;
using Sandboxd.Audit.Events;
using Sandboxd.Isolation;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>How a call the seccomp listener saw appears in the audit record: an audited call as
/// SyscallExec / SyscallConnect, a refused one (or a count of rate-limited refusals) as SyscallDenied.</summary>
internal static class SyscallAuditEvent
{
    public static AuditKind Kind(SyscallNotice notice) =>
        notice.DeniedErrno != 0 || notice.Suppressed > 0 ? AuditKind.SyscallDenied
        : notice.Syscall == "connect" ? AuditKind.SyscallConnect
        : AuditKind.SyscallExec;

    public static Dictionary<string, string> Attributes(SyscallNotice notice)
    {
        var attributes = new Dictionary<string, string>
        {
            ["syscall"] = notice.Syscall,
            ["nr"] = notice.Nr.ToString(CultureInfo.InvariantCulture),
            ["pid"] = notice.Pid.ToString(CultureInfo.InvariantCulture),
            ["detail"] = notice.Detail,
        };
        if (notice.DeniedErrno != 0)
            attributes["errno"] = Errno.Name(notice.DeniedErrno);
        if (notice.Suppressed > 0)
            attributes["suppressed"] = notice.Suppressed.ToString(CultureInfo.InvariantCulture);
        return attributes;
    }
}
