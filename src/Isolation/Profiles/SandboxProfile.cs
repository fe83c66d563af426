using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Isolation.Profiles;

/// <summary>What a sandbox is allowed: its syscall filter, resource limits, and the size of its
/// writable layer (/tmp follows from it and the memory limit: TmpSize). A create request may
/// lower or raise the limits; the filter is the profile's.</summary>
public sealed record SandboxProfile(
    string Name,
    SeccompProfile Seccomp,
    CgroupLimits Limits,
    long DiskBytes,
    IReadOnlyList<RlimitSetting> Rlimits)
{
    /// <summary>Root inside maps to an unprivileged host id range of its own (escapes land as nobody).</summary>
    public bool UserNamespace { get; init; }

    /// <summary>What a command run as root inside holds, in its bounding, permitted and effective
    /// sets. Only given with <see cref="UserNamespace"/>, where they act on the sandbox's own user
    /// namespace and on the ids it maps; without one, root inside holds nothing.</summary>
    public IReadOnlyList<Capability> RootCapabilities { get; init; } = [];

    /// <summary><see cref="RootCapabilities"/> as the kernel's bit mask (bit n = capability n).</summary>
    public ulong RootCapabilityMask => RootCapabilities.Aggregate(0UL, (mask, cap) => mask | (1UL << (int)cap));

    /// <summary>Calls reported to the daemon (seccomp user notification) before they run.</summary>
    public IReadOnlyList<string> AuditedSyscalls { get; init; } = [];

    /// <summary>Refused calls go through the daemon, which records them (SyscallDenied) and answers
    /// with the profile's errno. Off: the filter answers them itself, unseen, a little faster.</summary>
    public bool AuditDeniedCalls { get; init; } = true;

    /// <summary>Whether each command's filter has a listener in the daemon.</summary>
    public bool NotifiesDaemon => AuditedSyscalls.Count > 0 || AuditDeniedCalls;

    private CompiledFilter? _compiled;

    /// <summary>The filter with its audited calls (first: the first matching rule wins, and an
    /// audited call still runs) and, when <see cref="AuditDeniedCalls"/>, its denials routed to the
    /// listener. Compiled once per profile, not per sandbox (ARCHITECTURE.md: the floor).</summary>
    public NotifyingFilter SeccompFilter => Compiled().Filter;

    /// <summary>The program each command's filter installs.</summary>
    public byte[] SeccompProgram => Compiled().Program;

    // `with` copies the cache along with the fields; one made for other inputs is not reused.
    private CompiledFilter Compiled()
    {
        if (_compiled is { } c && c.Matches(this))
            return c;
        var rules = Seccomp with
        {
            Rules = [.. AuditedSyscalls.Select(name => new SyscallRule(name, SeccompAction.UserNotif)), .. Seccomp.Rules],
        };
        var filter = NotifyingFilter.Compile(rules);
        var program = AuditDeniedCalls ? filter.Program : SeccompCompiler.Compile(rules);
        return _compiled = new CompiledFilter(Seccomp, AuditedSyscalls, AuditDeniedCalls, filter, program);
    }

    private sealed record CompiledFilter(SeccompProfile Seccomp, IReadOnlyList<string> Audited, bool AuditDenied, NotifyingFilter Filter, byte[] Program)
    {
        public bool Matches(SandboxProfile p) =>
            ReferenceEquals(Seccomp, p.Seccomp) && ReferenceEquals(Audited, p.AuditedSyscalls) && AuditDenied == p.AuditDeniedCalls;
    }
}
