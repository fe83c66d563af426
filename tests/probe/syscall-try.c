/*
 * syscall-try NAME [COUNT]: attempts one syscall and prints "NAME ok" or "NAME errno=N ENAME";
 * exits 0 either way, so a seccomp test reads the verdict from stdout (bubblewrap's
 * tests/try-syscall.c). With COUNT it makes the attempt COUNT times: the line is printed once if
 * every attempt got the same answer, and an attempt that differed adds "NAME attempt I: ...";
 * stderr gets the time the attempts took ("NAME xCOUNT ns=T"), for measuring a denial's cost.
 *
 * The arguments are chosen so that a refusal can be told from an allowed call: a refusal is
 * EPERM/EACCES (the filter, or the kernel's capability check, which comes before any argument
 * check for every call here), while an allowed call succeeds or fails with an errno of its own
 * (EINVAL, ENOEXEC, EBADF, EISDIR...). So a test may read any errno but the refusal's as "the
 * call got through".
 *
 * This runs as root on real hosts, under a filter or in a sandbox, and every attempt stays
 * harmless even if it gets through: mounts go on a fresh temp dir and are undone at once,
 * device nodes, keys, maps and fds are removed before exit, and where success itself would
 * change the host (reboot, kexec, swap, accounting) the arguments make the kernel stop right
 * after its permission check. Each call's comment says what an allowed call would do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <unistd.h>

#ifndef AF_PACKET
#define AF_PACKET 17
#endif

/* A syscall result: 0 ok, else the errno. */
static int result(long rc) { return rc == -1 ? errno : 0; }

static char tmpdir[64];

static int make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/sbx-syscall-try-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : errno;
}

static int try_mount(void)
{
    int err = make_tmpdir();
    if (err)
        return err;
    err = result(mount("sbx-try", tmpdir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k"));
    if (!err)
        umount2(tmpdir, MNT_DETACH);
    rmdir(tmpdir);
    return err;
}

static int try_mknod(mode_t type)
{
    int err = make_tmpdir();
    if (err)
        return err;
    char path[96];
    snprintf(path, sizeof path, "%s/node", tmpdir);
    err = result(mknod(path, type | 0600, makedev(1, 3)));
    unlink(path);
    rmdir(tmpdir);
    return err;
}

/* The result of a fork-like call: the child exits at once, the parent reaps it. */
static int reap_child(long pid)
{
    if (pid == 0)
        _exit(0);
    if (pid == -1)
        return errno;
    waitpid((pid_t)pid, NULL, 0);
    return 0;
}

static int try_clone(unsigned long flags)
{
    return reap_child(syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0));
}

static int try_clone3(void)
{
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    return reap_child(syscall(SYS_clone3, &args, sizeof args));
}

static int try_ptrace_attach(void)
{
    pid_t child = fork();
    if (child == -1)
        return errno;
    if (child == 0) {
        for (;;)
            pause();
    }
    int err = result(ptrace(PTRACE_ATTACH, child, NULL, NULL));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return err;
}

/* PID 1 of the caller's pid namespace: inside a sandbox, its init. Detached at once if it worked. */
static int try_ptrace_init(void)
{
    int err = result(ptrace(PTRACE_ATTACH, 1, NULL, NULL));
    if (err == 0)
        ptrace(PTRACE_DETACH, 1, NULL, NULL);
    return err;
}

/* Joining init's mount namespace through /proc: the way out nsenter would take. */
static int try_setns_init(void)
{
    int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return errno;
    int err = result(setns(fd, CLONE_NEWNS));
    close(fd);
    return err;
}

static int close_fd(long fd)
{
    if (fd == -1)
        return errno;
    close((int)fd);
    return 0;
}

static int try_perf_event_open(void)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.disabled = 1;
    /* Only this process in user space: what perf_event_paranoid 2 still grants anyone, so an
     * allowed call succeeds even unprivileged. */
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return close_fd(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

static int try_open_by_handle_at(void)
{
    struct file_handle *handle = calloc(1, sizeof *handle + 8);
    if (!handle)
        return ENOMEM;
    /* A zeroed handle resolves to nothing: a caller allowed through the capability check
     * (CAP_DAC_READ_SEARCH, checked before the handle is read) gets ESTALE or EINVAL. */
    handle->handle_bytes = 8;
    int err = close_fd(syscall(SYS_open_by_handle_at, AT_FDCWD, handle, O_RDONLY));
    free(handle);
    return err;
}

/* A key in this process's own keyring: it goes when the process exits. */
static int try_add_key(void)
{
    long key = syscall(SYS_add_key, "user", "sbx-syscall-try", "x", 1, KEY_SPEC_PROCESS_KEYRING);
    if (key == -1)
        return errno;
    syscall(SYS_keyctl, KEYCTL_INVALIDATE, key, 0, 0, 0);
    return 0;
}

/* A one-entry array map: an allowed caller gets a map that goes with its fd. */
static int try_bpf(void)
{
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 4;
    attr.max_entries = 1;
    return close_fd(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
}

/* The clock set to what it reads now: an allowed caller steps it back by the microseconds
 * between the two calls, which no NTP daemon even notices. */
static int try_clock_settime(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) == -1)
        return errno;
    return result(syscall(SYS_clock_settime, CLOCK_REALTIME, &now));
}

/* An empty file: past the capability check the kernel finds no swap signature (and tmpfs
 * cannot back swap anyway), so an allowed caller gets EINVAL and no swap is ever enabled. */
static int try_swapon(void)
{
    int err = make_tmpdir();
    if (err)
        return err;
    char path[96];
    snprintf(path, sizeof path, "%s/swap", tmpdir);
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    err = fd == -1 ? errno : result(swapon(path, 0));
    if (fd != -1)
        close(fd);
    unlink(path);
    rmdir(tmpdir);
    return err;
}

/* A directory that exists: an allowed caller gets EISDIR when the kernel opens it for
 * writing, so accounting never starts (and acct(NULL) would stop the host's). */
static int try_acct(void)
{
    int err = make_tmpdir();
    if (err)
        return err;
    err = result(acct(tmpdir));
    rmdir(tmpdir);
    return err;
}

/* A terminal of our own making that is not our controlling terminal, as a terminal reaching
 * the sandbox from outside would be: pushing input into it needs CAP_SYS_ADMIN (EPERM), or
 * is off for everyone with dev.tty.legacy_tiocsti=0 (EIO). An allowed push lands one byte in
 * this pty's input, closed at once. */
static int try_tiocsti(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master == -1)
        return errno;
    int err = 0;
    int terminal = -1;
    const char *name = grantpt(master) == 0 && unlockpt(master) == 0 ? ptsname(master) : NULL;
    if (name == NULL)
        err = errno;
    else if ((terminal = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
        err = errno;
    else
        err = result(ioctl(terminal, TIOCSTI, "x"));
    if (terminal != -1)
        close(terminal);
    close(master);
    return err;
}

static int try_named(const char *name)
{
    if (!strcmp(name, "mount")) return try_mount();
    if (!strcmp(name, "unshare_net")) return result(unshare(CLONE_NEWNET));
    if (!strcmp(name, "unshare_user")) return result(unshare(CLONE_NEWUSER));
    if (!strcmp(name, "unshare")) return result(unshare(CLONE_FILES)); /* no namespace at all */
    if (!strcmp(name, "setns")) return result(setns(-1, 0));
    if (!strcmp(name, "clone_newns")) return try_clone(CLONE_NEWNS);
    if (!strcmp(name, "clone_newuser")) return try_clone(CLONE_NEWUSER);
    if (!strcmp(name, "clone_plain")) return try_clone(0);
    if (!strcmp(name, "clone3")) return try_clone3();
    if (!strcmp(name, "keyctl"))
        return result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
    if (!strcmp(name, "add_key")) return try_add_key();
    if (!strcmp(name, "bpf")) return try_bpf();
    if (!strcmp(name, "perf_event_open")) return try_perf_event_open();
    if (!strcmp(name, "userfaultfd")) /* user faults only: what vm.unprivileged_userfaultfd=0 still grants */
        return close_fd(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
    if (!strcmp(name, "open_by_handle_at")) return try_open_by_handle_at();
    if (!strcmp(name, "init_module")) /* an empty image: ENOEXEC once past CAP_SYS_MODULE */
        return result(syscall(SYS_init_module, NULL, 0, ""));
    if (!strcmp(name, "finit_module")) /* no file: EBADF once past CAP_SYS_MODULE */
        return result(syscall(SYS_finit_module, -1, "", 0));
    /* A wrong magic: CAP_SYS_BOOT is checked first, then the magic (EINVAL), so this tells a
     * refusal from a caller let through without ever acting. Even CAD_OFF would act, in the
     * host's pid namespace: it changes what Ctrl-Alt-Del does. */
    if (!strcmp(name, "reboot"))
        return result(syscall(SYS_reboot, 0, 0, LINUX_REBOOT_CMD_CAD_OFF, NULL));
    if (!strcmp(name, "settimeofday")) /* NULL, NULL: checks CAP_SYS_TIME, sets nothing, returns 0 */
        return result(syscall(SYS_settimeofday, NULL, NULL));
    if (!strcmp(name, "clock_settime")) return try_clock_settime();
    if (!strcmp(name, "ptrace_attach")) return try_ptrace_attach();
    if (!strcmp(name, "ptrace_init")) return try_ptrace_init();
    if (!strcmp(name, "setns_init")) return try_setns_init();
    if (!strcmp(name, "mknod_block")) return try_mknod(S_IFBLK);
    if (!strcmp(name, "mknod_char")) return try_mknod(S_IFCHR);
    if (!strcmp(name, "mknod_fifo")) return try_mknod(S_IFIFO);
    if (!strcmp(name, "socket_packet")) return close_fd(socket(AF_PACKET, SOCK_RAW, 0));
    if (!strcmp(name, "socket_raw")) return close_fd(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    if (!strcmp(name, "socket_raw6")) return close_fd(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
    if (!strcmp(name, "socket_packet_dgram")) return close_fd(socket(AF_PACKET, SOCK_DGRAM, 0));
    if (!strcmp(name, "socket_sock_packet")) return close_fd(socket(AF_INET, SOCK_PACKET, 0));
    if (!strcmp(name, "socket_vsock")) return close_fd(socket(AF_VSOCK, SOCK_STREAM, 0)); /* the hypervisor host and its other guests */
    if (!strcmp(name, "socket_unix_raw")) return close_fd(socket(AF_UNIX, SOCK_RAW, 0)); /* the kernel makes it a datagram socket */
    if (!strcmp(name, "netlink_route")) return close_fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!strcmp(name, "netlink_route_dgram")) return close_fd(socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE));
    if (!strcmp(name, "netlink_sock_diag")) return close_fd(socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG));
    if (!strcmp(name, "netlink_audit")) return close_fd(socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT));
    if (!strcmp(name, "netlink_generic")) return close_fd(socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC));
    if (!strcmp(name, "netlink_netfilter")) return close_fd(socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER));
    if (!strcmp(name, "netlink_connector")) return close_fd(socket(AF_NETLINK, SOCK_RAW, NETLINK_CONNECTOR));
    if (!strcmp(name, "netlink_uevent")) return close_fd(socket(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT));
    if (!strcmp(name, "socket_inet")) return close_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!strcmp(name, "swapon")) return try_swapon();
    /* Invalid flags: EINVAL once past CAP_SYS_BOOT, before anything loads or unloads (valid
     * flags with no segments would unload the host's crash kernel). */
    if (!strcmp(name, "kexec_load"))
        return result(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xfff0UL));
    if (!strcmp(name, "acct")) return try_acct();
    if (!strcmp(name, "tiocsti")) return try_tiocsti();
    if (!strcmp(name, "personality_query")) return result(personality(0xffffffff) == -1 ? -1 : 0);
    if (!strcmp(name, "personality_bsd")) {
        int old = personality(0xffffffff);
        int err = result(personality(PER_BSD) == -1 ? -1 : 0);
        if (!err && old != -1)
            personality((unsigned long)old);
        return err;
    }
    if (!strcmp(name, "getpid")) return result(syscall(SYS_getpid));
    return -1;
}

static void print_result(const char *name, int err)
{
    if (err == 0) {
        printf("%s ok\n", name);
    } else {
        const char *ename = strerrorname_np(err);
        printf("%s errno=%d %s\n", name, err, ename ? ename : "?");
    }
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long count = argc == 3 ? strtol(argv[2], NULL, 10) : 1;
    if ((argc != 2 && argc != 3) || count < 1) {
        fprintf(stderr, "usage: syscall-try NAME [COUNT]\n");
        return 2;
    }
    long long start = now_ns();
    int err = try_named(argv[1]);
    if (err == -1) {
        fprintf(stderr, "syscall-try: unknown name %s\n", argv[1]);
        return 2;
    }
    print_result(argv[1], err);
    for (long i = 1; i < count; i++) {
        int again = try_named(argv[1]);
        if (again != err) {
            printf("%s attempt %ld: ", argv[1], i);
            print_result(argv[1], again);
        }
    }
    if (count > 1)
        fprintf(stderr, "%s x%ld ns=%lld\n", argv[1], count, now_ns() - start);
    return 0;
}
