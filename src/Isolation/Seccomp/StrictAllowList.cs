namespace Sandboxd.Isolation.Seccomp;

/// <summary>The syscalls <see cref="BuiltinProfiles.Strict"/> allows without conditions.</summary>
/// <remarks>
/// Found with <c>strace -f</c> on <c>/bin/sh -c 'echo hi; ls /; cat; true'</c>, coreutils and
/// <c>python3 -c 'print(1)'</c> (plus a python subprocess), which needed: execve, brk, mmap,
/// mprotect, munmap, arch_prctl, set_tid_address, set_robust_list, rseq, prlimit64, getrandom,
/// futex, openat, newfstatat, statx, statfs, read, write, pread64, lseek, close, close_range,
/// fcntl, ioctl, getdents64, getcwd, readlink, access, getxattr, lgetxattr, dup2, pipe2, vfork,
/// wait4, rt_sigaction, rt_sigprocmask, rt_sigreturn, sysinfo, fadvise64, epoll_create1, socket,
/// connect, the get*id calls, exit_group. The rest are their siblings on other code paths (the
/// *at and v-variants, signals and timers, polling, plain file management inside the sandbox,
/// local sockets), so an error path or a different libc build does not hit EPERM.
/// Left out on purpose: everything in <see cref="BuiltinProfiles.DeniedByDefault"/>, set*id and
/// capset (a sandbox never changes identity), xattr writes, chroot, and the NUMA/scheduler knobs.
/// </remarks>
public static class StrictAllowList
{
    public static readonly IReadOnlyList<string> Names =
    [
        // Process lifetime and memory.
        "execve", "execveat", "exit", "exit_group", "fork", "vfork", "wait4", "waitid",
        "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "msync", "mincore",
        "mlock", "munlock", "membarrier", "arch_prctl", "prctl", "set_tid_address",
        "set_robust_list", "get_robust_list", "rseq", "futex", "futex_waitv", "getrandom",
        "prlimit64", "getrlimit", "getrusage", "sched_yield", "sched_getaffinity",
        "sched_getparam", "sched_getscheduler", "sched_get_priority_max", "sched_get_priority_min",
        "getpriority", "capget", "uname", "sysinfo", "times", "umask",
        // Identity (read only) and process groups.
        "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups",
        "getresuid", "getresgid", "getpgrp", "getpgid", "setpgid", "getsid", "setsid",
        // Signals, time, timers.
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending",
        "rt_sigtimedwait", "rt_sigqueueinfo", "sigaltstack", "kill", "tkill", "tgkill", "pause",
        "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
        "alarm", "setitimer", "getitimer", "timer_create", "timer_settime", "timer_gettime",
        "timer_getoverrun", "timer_delete",
        // File descriptors and I/O.
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2",
        "pwritev2", "lseek", "close", "close_range", "dup", "dup2", "dup3", "pipe", "pipe2",
        "fcntl", "ioctl", "flock", "fadvise64", "sendfile", "copy_file_range", "splice", "tee",
        "fsync", "fdatasync", "sync_file_range", "ftruncate", "fallocate",
        "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl",
        "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd",
        "signalfd4", "timerfd_create", "timerfd_settime", "timerfd_gettime", "memfd_create",
        "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
        // Paths and metadata.
        "open", "openat", "openat2", "creat", "stat", "fstat", "lstat", "newfstatat", "statx",
        "statfs", "fstatfs", "access", "faccessat", "faccessat2", "readlink", "readlinkat",
        "getdents", "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir",
        "unlink", "unlinkat", "rename", "renameat", "renameat2", "link", "linkat", "symlink",
        "symlinkat", "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown",
        "fchownat", "truncate", "utime", "utimes", "utimensat", "futimesat",
        "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
        // Sockets (socket itself is allowed by a rule that first refuses packet and raw sockets).
        "socketpair", "connect", "bind", "listen", "accept", "accept4", "getsockname",
        "getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
        "shutdown", "setsockopt", "getsockopt",
    ];
}
