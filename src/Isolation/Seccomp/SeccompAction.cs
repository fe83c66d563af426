namespace Sandboxd.Isolation.Seccomp;

/// <summary>What the kernel does when a rule matches. The numbers are the kernel's
/// <c>SECCOMP_RET_*</c> action values (include/uapi/linux/seccomp.h); the low 16 bits of the
/// returned word carry the errno for <see cref="Errno"/>.</summary>
public enum SeccompAction : uint
{
    /// <summary>SECCOMP_RET_KILL_PROCESS: the whole process dies with SIGSYS.</summary>
    Kill = 0x80000000,

    /// <summary>SECCOMP_RET_TRAP: the thread gets SIGSYS and may handle it.</summary>
    Trap = 0x00030000,

    /// <summary>SECCOMP_RET_ERRNO: the call fails with the rule's errno, so programs see EPERM
    /// (or ENOSYS) and carry on instead of dying.</summary>
    Errno = 0x00050000,

    /// <summary>SECCOMP_RET_USER_NOTIF: a supervisor holding the listener fd decides.</summary>
    UserNotif = 0x7fc00000,

    /// <summary>SECCOMP_RET_LOG: allowed, and logged by the kernel's audit (an audited call).</summary>
    Log = 0x7ffc0000,

    /// <summary>SECCOMP_RET_ALLOW.</summary>
    Allow = 0x7fff0000,
}
