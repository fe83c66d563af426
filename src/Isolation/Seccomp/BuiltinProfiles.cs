namespace Sandboxd.Isolation.Seccomp;

/// <summary>The profiles sandboxd ships, in the spirit of Docker/containerd's default profile.
/// Denials return EPERM rather than kill, so programs probing for a feature fall back instead of
/// dying. profiles/seccomp/default.yaml and strict.yaml are the same profiles as data; a test
/// keeps them equal. In a sandbox the denials reach the daemon first (<see cref="NotifyingFilter"/>),
/// which records them and answers with the same errno.</summary>
public static class BuiltinProfiles
{
    /// <summary>Every CLONE_NEW* flag: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, and
    /// NEWTIME (0x80). clone() reads 0x80 as part of the exit signal, where it is never valid (signals
    /// stop at 64), so denying it refuses no working call and keeps the mask complete.</summary>
    public const ulong CloneNewFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000
        | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080;

    private const ulong FileTypeMask = 0xF000; // S_IFMT
    private const ulong BlockDevice = 0x6000;  // S_IFBLK
    private const ulong CharDevice = 0x2000;   // S_IFCHR
    private const uint AfPacket = 17;
    private const ulong SocketTypeMask = 0xF;  // the type without SOCK_NONBLOCK / SOCK_CLOEXEC
    private const ulong SockRaw = 3;

    /// <summary>Personas a program may select (Docker's list): PER_LINUX, UNAME26, the
    /// ADDR_NO_RANDOMIZE variants, and 0xffffffff, which only queries.</summary>
    private static readonly uint[] AllowedPersonas = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

    /// <summary>Calls that reach past the sandbox into the host kernel's global state: mounts and
    /// namespaces (the sandbox's are already set up), keyrings (not namespaced), eBPF, perf,
    /// userfaultfd (a kernel-exploit staple), file handles (escape a bind mount by inode), modules,
    /// kexec, reboot, swap, accounting, the clock, tracing other processes, port I/O, quotas,
    /// the kernel log, io_uring (a large attack surface Docker also blocks).
    /// chroot stays allowed: inside a pivot_root'ed mount namespace it cannot reach the host,
    /// and build tools (debootstrap, some package managers) use it.</summary>
    public static readonly IReadOnlyList<string> DeniedByDefault =
    [
        "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
        "open_tree", "mount_setattr", "unshare", "setns",
        "keyctl", "add_key", "request_key",
        "bpf", "perf_event_open", "userfaultfd", "lookup_dcookie", "fanotify_init",
        "open_by_handle_at", "name_to_handle_at",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "create_module", "get_kernel_syms", "query_module", "uselib", "_sysctl", "nfsservctl",
        "reboot", "swapon", "swapoff", "acct", "vhangup", "syslog",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
        "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
        "iopl", "ioperm", "quotactl", "quotactl_fd",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
    ];

    /// <summary>Allow everything except <see cref="DeniedByDefault"/> and the argument-dependent
    /// denials (new namespaces through clone, device nodes, packet and raw sockets, personas).</summary>
    public static SeccompProfile Default { get; } = new(
        "default",
        SeccompAction.Allow,
        0,
        [
            .. DeniedByDefault.Select(name => new SyscallRule(name, SeccompAction.Errno, Errno.EPERM)),
            .. ConditionalDenials(),
            new SyscallRule("personality", SeccompAction.Errno, Errno.EPERM,
                [.. AllowedPersonas.Select(persona => ArgFilter.NotEqual32(0, persona))]),
        ]);

    /// <summary>Deny (EPERM) everything but <see cref="StrictAllowList.Names"/>: enough for /bin/sh,
    /// coreutils and python3, found with strace and widened by the calls those programs make on
    /// other paths (errors, signals, pipes, sockets).</summary>
    public static SeccompProfile Strict { get; } = new(
        "strict",
        SeccompAction.Errno,
        Errno.EPERM,
        [
            .. ConditionalDenials(),
            new SyscallRule("clone", SeccompAction.Allow),
            new SyscallRule("socket", SeccompAction.Allow),
            new SyscallRule("mknod", SeccompAction.Allow),
            new SyscallRule("mknodat", SeccompAction.Allow),
            .. AllowedPersonas.Select(persona =>
                new SyscallRule("personality", SeccompAction.Allow, 0, [ArgFilter.Equal32(0, persona)])),
            .. StrictAllowList.Names.Select(name => new SyscallRule(name, SeccompAction.Allow)),
        ]);

    /// <summary>Denials that depend on arguments, shared by both profiles. In Strict they come before
    /// the unconditional Allow of the same syscall: the first matching rule wins.</summary>
    private static IEnumerable<SyscallRule> ConditionalDenials() =>
    [
        // A new namespace from inside would give the process a fresh user namespace with full
        // capabilities over it: the first step of most container escapes.
        new("clone", SeccompAction.Errno, Errno.EPERM, [ArgFilter.AnyBitSet(0, CloneNewFlags)]),
        // seccomp cannot read clone3's flags (they sit in a struct behind a pointer), so refuse it
        // with ENOSYS: glibc then falls back to clone, whose flags the rule above checks (Docker's fix).
        new("clone3", SeccompAction.Errno, Errno.ENOSYS),
        // Device nodes open host devices; FIFOs, sockets and regular files are fine.
        new("mknod", SeccompAction.Errno, Errno.EPERM, [ArgFilter.MaskedEqual(1, FileTypeMask, BlockDevice)]),
        new("mknod", SeccompAction.Errno, Errno.EPERM, [ArgFilter.MaskedEqual(1, FileTypeMask, CharDevice)]),
        new("mknodat", SeccompAction.Errno, Errno.EPERM, [ArgFilter.MaskedEqual(2, FileTypeMask, BlockDevice)]),
        new("mknodat", SeccompAction.Errno, Errno.EPERM, [ArgFilter.MaskedEqual(2, FileTypeMask, CharDevice)]),
        // Packet and raw sockets forge traffic past the egress proxy's view.
        new("socket", SeccompAction.Errno, Errno.EPERM, [ArgFilter.Equal32(0, AfPacket)]),
        new("socket", SeccompAction.Errno, Errno.EPERM, [ArgFilter.MaskedEqual(1, SocketTypeMask, SockRaw)]),
    ];
}
