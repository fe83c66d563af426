using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Isolation.Profiles;

/// <summary>What a sandbox is allowed: its syscall filter, resource limits, and the sizes of its
/// writable layer and /tmp. A create request may lower or raise the limits; the filter is the
/// profile's.</summary>
public sealed record SandboxProfile(
    string Name,
    SeccompProfile Seccomp,
    CgroupLimits Limits,
    long DiskBytes,
    long TmpBytes,
    IReadOnlyList<RlimitSetting> Rlimits)
{
    /// <summary>Root inside maps to an unprivileged host id range of its own (escapes land as nobody).</summary>
    public bool UserNamespace { get; init; }

    /// <summary>Calls reported to the daemon (seccomp user notification) before they run.</summary>
    public IReadOnlyList<string> AuditedSyscalls { get; init; } = [];

    private byte[]? _program;

    /// <summary>Compiled once per profile, not per sandbox (ARCHITECTURE.md: the floor).</summary>
    public byte[] SeccompProgram => _program ??= SeccompCompiler.Compile(Seccomp with
    {
        // Audited calls first: the first matching rule wins, and an audited call still runs.
        Rules = [.. AuditedSyscalls.Select(name => new SyscallRule(name, SeccompAction.UserNotif)), .. Seccomp.Rules],
    });
}
