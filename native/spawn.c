/*
 * Sbx_Spawn: clone() into new namespaces, run the setup ops, fexecve() the sandbox init.
 *
 * The daemon is a multi-threaded .NET process, so between clone() and execve() the child
 * only makes async-signal-safe system calls on memory prepared before clone() (the shape of
 * SystemNative_ForkAndExecProcess). Failures travel back as {op_index, step, errno} over a
 * close-on-exec pipe: EOF means execve succeeded.
 */
#define _GNU_SOURCE
#include "sbx.h"
#include "fdio.h"
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The child's own stack: it shares the daemon's memory (CLONE_VM) until execve. */
#define SBX_CHILD_STACK (256 * 1024)

/* Fds below this are the child's fixed slots (0-2 stdio, 3 control). */
#define SBX_CONTROL_FD 3

__attribute__((noreturn)) static void report_and_exit(int fd, int32_t op_index, int32_t step)
{
    int32_t msg[3] = { op_index, step, errno };
    ssize_t r;
    do {
        r = write(fd, msg, sizeof msg);
    } while (r < 0 && errno == EINTR);
    _exit(127);
}

static int loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s == -1)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(s);
    errno = saved;
    return rc;
}

static int write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd == -1)
        return -1;
    size_t len = strlen(data);
    ssize_t n;
    do {
        n = write(fd, data, len);
    } while (n == -1 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n != (ssize_t)len) {
        errno = n == -1 ? saved : EIO;
        return -1;
    }
    return 0;
}

/* The daemon gets a handle on a directory that no path of the host names (it lives in this
   mount namespace only): the sandbox's writable layer, before pivot_root hides it. */
static int send_dir(const sbx_op *op)
{
    int fd = open(op->dst, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1)
        return -1;
    uint64_t tag = op->flags;
    ssize_t n = sbx_send_fds(SBX_CONTROL_FD, &tag, sizeof tag, &fd, 1);
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)sizeof tag ? 0 : -1;
}

/* The idmapped trees the parent sent (wait_for_maps), by their index in idmap_trees. */
typedef struct received_trees {
    int fds[SBX_MAX_IDMAP_TREES];
    int count;
} received_trees;

static int attach_tree(const sbx_op *op, const received_trees *trees)
{
    if (op->flags >= (uint64_t)trees->count) {
        errno = EBADF;
        return -1;
    }
    return (int)syscall(SYS_move_mount, trees->fds[op->flags], "", AT_FDCWD, op->dst, MOVE_MOUNT_F_EMPTY_PATH);
}

static int run_op(const sbx_op *op, const received_trees *trees)
{
    switch (op->kind) {
    case SBX_OP_MAKE_PRIVATE:
        return mount(NULL, op->dst, NULL, MS_REC | MS_PRIVATE, NULL);
    case SBX_OP_MOUNT:
        return mount(op->src, op->dst, op->fstype, (unsigned long)op->flags, op->data);
    case SBX_OP_BIND:
        if (mount(op->src, op->dst, NULL, MS_BIND | MS_REC, NULL) == -1)
            return -1;
        if (op->flags == 0)
            return 0;
        return mount(NULL, op->dst, NULL, MS_BIND | MS_REMOUNT | (unsigned long)op->flags, NULL);
    case SBX_OP_MKDIR:
        if (mkdir(op->dst, (mode_t)op->flags) == -1 && errno != EEXIST)
            return -1;
        return 0;
    case SBX_OP_CREATE_FILE: {
        int fd = open(op->dst, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd == -1)
            return -1;
        close(fd);
        return 0;
    }
    case SBX_OP_SYMLINK:
        if (symlink(op->src, op->dst) == -1 && errno != EEXIST)
            return -1;
        return 0;
    case SBX_OP_PIVOT_ROOT:
        /* pivot_root(".", ".") stacks the old root under the new one; detaching "." then
           drops it, with no directory for the old root left inside the sandbox. */
        if (chdir(op->dst) == -1)
            return -1;
        if (syscall(SYS_pivot_root, ".", ".") == -1)
            return -1;
        if (umount2(".", MNT_DETACH) == -1)
            return -1;
        return chdir("/");
    case SBX_OP_HOSTNAME:
        return sethostname(op->src, strlen(op->src));
    case SBX_OP_LOOPBACK_UP:
        return loopback_up();
    case SBX_OP_CHDIR:
        return chdir(op->dst);
    case SBX_OP_WRITE_FILE:
        return write_file(op->dst, op->src);
    case SBX_OP_UNSHARE:
        return unshare((int)op->flags);
    case SBX_OP_CHOWN:
        return lchown(op->dst, (uid_t)(op->flags >> 32), (gid_t)(op->flags & 0xffffffffu));
    case SBX_OP_SEND_DIR:
        return send_dir(op);
    case SBX_OP_ATTACH_TREE:
        return attach_tree(op, trees);
    case SBX_OP_ATTACH_FD:
        return (int)syscall(SYS_move_mount, (int)op->flags, "", AT_FDCWD, op->dst, MOVE_MOUNT_F_EMPTY_PATH);
    default:
        errno = EINVAL;
        return -1;
    }
}

/* Moves fd above the fixed slots, close-on-exec. */
static int lift_fd(int fd)
{
    return fcntl(fd, F_DUPFD_CLOEXEC, SBX_FIRST_FREE_FD);
}

static void mark_cloexec_from(int first)
{
    if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    /* Kernels before 5.11: walk a bounded range instead. */
    for (int fd = first; fd < 4096; fd++)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* In a new user namespace the child has no ids until the parent writes its maps; it waits
   for one byte on sync_fd (a socket: the idmapped trees come with it), then becomes root of
   its namespace. */
static void wait_for_maps(int sync_fd, int err_fd, received_trees *trees)
{
    char byte;
    int fds[SBX_MAX_IDMAP_TREES];
    int count = 0;
    ssize_t r = sbx_recv_fds(sync_fd, &byte, 1, fds, SBX_MAX_IDMAP_TREES, &count, 0, NULL);
    if (r != 1) {
        if (r == 0)
            errno = ECANCELED;
        report_and_exit(err_fd, -1, SBX_STEP_USERNS_WAIT);
    }
    close(sync_fd);
    /* Above the fixed slots, which are dup'ed over next. */
    for (int i = 0; i < count; i++) {
        trees->fds[i] = lift_fd(fds[i]);
        if (trees->fds[i] == -1)
            report_and_exit(err_fd, -1, SBX_STEP_FDS);
        close(fds[i]);
    }
    trees->count = count;
    /* Raw system calls: glibc's setresuid() broadcasts to every thread it knows of, under a
       lock that another daemon thread may have held at clone() — a copied, held lock. */
    if (syscall(SYS_setresgid, 0, 0, 0) == -1 || syscall(SYS_setresuid, 0, 0, 0) == -1)
        report_and_exit(err_fd, -1, SBX_STEP_SETID);
}

__attribute__((noreturn)) static void child(const sbx_spawn_args *a, int report_fd, int sync_fd)
{
    int err_fd = lift_fd(report_fd);
    if (err_fd == -1)
        report_and_exit(report_fd, -1, SBX_STEP_FDS);
    received_trees trees = { .count = 0 };
    if (sync_fd >= 0)
        wait_for_maps(sync_fd, err_fd, &trees);

    /* .NET ignores SIGPIPE and installs handlers; neither may reach init. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
        report_and_exit(err_fd, -1, SBX_STEP_SIGNALS);

    int exec_fd = lift_fd(a->exec_fd);
    int ctl_fd = lift_fd(a->control_fd);
    if (exec_fd == -1 || ctl_fd == -1)
        report_and_exit(err_fd, -1, SBX_STEP_FDS);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd == -1)
        report_and_exit(err_fd, -1, SBX_STEP_FDS);
    for (int fd = 0; fd <= 2; fd++)
        if (dup3(null_fd, fd, 0) == -1)
            report_and_exit(err_fd, -1, SBX_STEP_FDS);
    if (dup3(ctl_fd, SBX_CONTROL_FD, 0) == -1)
        report_and_exit(err_fd, -1, SBX_STEP_FDS);
    /* Nothing else of the daemon's may survive execve (CVE-2024-21626). */
    mark_cloexec_from(4);

    /* A new session: no controlling terminal to push input into (CVE-2017-5226). */
    if (setsid() == -1)
        report_and_exit(err_fd, -1, SBX_STEP_SETSID);

    for (uint32_t i = 0; i < a->op_count; i++)
        if (run_op(&a->ops[i], &trees) == -1)
            report_and_exit(err_fd, (int32_t)i, (int32_t)a->ops[i].kind);

    /* fexecve of a sealed copy held by the daemon: no path inside the sandbox names the
       init binary, so nothing in it can overwrite the host's (CVE-2019-5736). */
    syscall(SYS_execveat, exec_fd, "", a->argv, a->envp, AT_EMPTY_PATH);
    report_and_exit(err_fd, -1, SBX_STEP_EXEC);
}

/* How long a child may take from clone() to execve() before it is killed: a setup that hangs
   must come back as an error, never as a create that never returns. */
#define SBX_SETUP_TIMEOUT_MS 30000

static ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        int ready = sbx_wait_readable(fd, SBX_SETUP_TIMEOUT_MS);
        if (ready == 0)
            errno = ETIMEDOUT;
        if (ready <= 0)
            return -1;
        ssize_t r = read(fd, (char *)buf + got, len - got);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return (ssize_t)got;
}

typedef struct child_start {
    const sbx_spawn_args *args;
    int report_fd;
    int read_fd;
    int sync_fd;       /* user namespace: the socket end the child waits on, else -1 */
    int sync_write_fd; /* closed in the child */
} child_start;

static int child_entry(void *arg)
{
    const child_start *start = arg;
    close(start->read_fd);
    if (start->sync_write_fd >= 0)
        close(start->sync_write_fd);
    child(start->args, start->report_fd, start->sync_fd);
}

static int make_idmapped_trees(const sbx_spawn_args *a, pid_t pid, int *trees, int *count, sbx_spawn_result *result)
{
    if (a->idmap_trees == NULL || a->idmap_trees[0] == NULL)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
    int userns = open(path, O_RDONLY | O_CLOEXEC);
    if (userns == -1) {
        result->step = SBX_STEP_IDMAP_USERNS;
        return -1;
    }
    int rc = 0;
    for (char *const *t = a->idmap_trees; *t != NULL; t++) {
        if (*count == SBX_MAX_IDMAP_TREES) {
            result->step = SBX_STEP_IDMAP_CLONE;
            result->tree = *count;
            errno = E2BIG;
            rc = -1;
            break;
        }
        int32_t step = 0;
        int fd = sbx_idmapped_tree(userns, *t, &step);
        if (fd == -1) {
            result->step = step;
            result->tree = *count;
            rc = -1;
            break;
        }
        trees[(*count)++] = fd;
    }
    int saved = errno;
    close(userns);
    if (rc == -1) {
        for (int i = 0; i < *count; i++)
            close(trees[i]);
        *count = 0;
    }
    errno = saved;
    return rc;
}

/* Parent side of a user-namespace spawn: id maps, cgroup join, the idmapped trees (which need
   the child's user namespace, so exist only now); then it releases the child with them. */
static int prepare_child(const sbx_spawn_args *a, pid_t pid, int sync_fd, sbx_spawn_result *result)
{
    char path[64], text[32];
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    if (write_file(path, a->uid_map) == -1) {
        result->step = SBX_STEP_UID_MAP;
        return -1;
    }
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
    if (write_file(path, a->gid_map) == -1) {
        result->step = SBX_STEP_UID_MAP;
        return -1;
    }
    snprintf(text, sizeof text, "%d", (int)pid);
    for (char *const *f = a->join_files; f != NULL && *f != NULL; f++)
        if (write_file(*f, text) == -1) {
            result->step = SBX_STEP_CGROUP_JOIN;
            return -1;
        }
    int trees[SBX_MAX_IDMAP_TREES];
    int count = 0;
    if (make_idmapped_trees(a, pid, trees, &count, result) == -1)
        return -1;
    char go = 1;
    ssize_t sent = sbx_send_fds(sync_fd, &go, 1, trees, count);
    int saved = errno;
    for (int i = 0; i < count; i++)
        close(trees[i]); /* the child holds its own copies; unattached ones go with them */
    /* EPIPE: the child is gone before its first op; its report on the error pipe says why. */
    if (sent == -1 && saved == EPIPE)
        return 0;
    if (sent != 1) {
        result->step = SBX_STEP_RELEASE;
        errno = sent == -1 ? saved : EPROTO;
        return -1;
    }
    return 0;
}

/* Reads the child's report: EOF means it exec'd. A child that failed has been reaped. */
static int32_t finish_spawn(long pid, int clone_errno, int read_fd, sbx_spawn_result *result)
{
    if (pid == -1) {
        close(read_fd);
        result->step = SBX_STEP_CLONE;
        result->error = clone_errno;
        errno = clone_errno;
        return -1;
    }

    int32_t report[3];
    ssize_t got = read_full(read_fd, report, sizeof report);
    int read_errno = errno;
    close(read_fd);
    if (got == 0) {
        result->pid = (int32_t)pid;
        return 0;
    }
    if (got == -1)
        kill((pid_t)pid, SIGKILL); /* stuck or unreadable: never leave it half set up */

    while (waitpid((pid_t)pid, NULL, 0) == -1 && errno == EINTR) {
    }
    if (got == (ssize_t)sizeof report) {
        result->op_index = report[0];
        result->step = report[1];
        result->error = report[2];
    } else if (got == -1) {
        result->step = SBX_STEP_EXEC;
        result->error = read_errno;
    } else {
        result->step = SBX_STEP_EXEC;
        result->error = EPROTO;
    }
    errno = result->error;
    return -1;
}

static void close_pair(int fds[2])
{
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
}

/*
 * clone() with CLONE_VM, as posix_spawn and .NET's process start do: no copy of the daemon's
 * page tables (milliseconds for a large process, stalling every other thread of it). The child
 * runs on its own stack and writes only there.
 *
 * Without a user namespace CLONE_VFORK also sleeps this thread until the child has exec'd or
 * died. A user namespace needs the parent to act between clone() and the child's first op (write
 * its id maps, join its cgroup), so there the child waits on a sync socket instead and both run at
 * once; the one thing both write is errno in the shared TLS, which can at worst mislabel a
 * failure that happens on both sides at once.
 */
int32_t Sbx_Spawn(const sbx_spawn_args *a, sbx_spawn_result *result)
{
    result->pid = -1;
    result->op_index = -1;
    result->step = 0;
    result->error = 0;
    result->tree = -1;

    int userns = (a->clone_flags & CLONE_NEWUSER) != 0;
    int pipe_fds[2] = { -1, -1 }, sync_fds[2] = { -1, -1 };
    if (pipe2(pipe_fds, O_CLOEXEC) == -1 || (userns && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_fds) == -1)) {
        result->step = SBX_STEP_PIPE;
        result->error = errno;
        close_pair(pipe_fds);
        return -1;
    }
    void *stack = mmap(NULL, SBX_CHILD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        result->step = SBX_STEP_CLONE;
        result->error = errno;
        close_pair(pipe_fds);
        close_pair(sync_fds);
        return -1;
    }
    child_start start = { .args = a, .report_fd = pipe_fds[1], .read_fd = pipe_fds[0],
                          .sync_fd = sync_fds[0], .sync_write_fd = sync_fds[1] };

    /* Signals stay blocked across clone() so no .NET handler runs in the child. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int flags = (int)a->clone_flags | CLONE_VM | (userns ? 0 : CLONE_VFORK) | SIGCHLD;
    int pid = clone(child_entry, (char *)stack + SBX_CHILD_STACK, flags, &start);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(pipe_fds[1]);
    if (sync_fds[0] >= 0)
        close(sync_fds[0]);

    if (pid != -1 && userns) {
        if (prepare_child(a, (pid_t)pid, sync_fds[1], result) == -1) {
            int saved = errno;
            close(sync_fds[1]); /* the child reads EOF and gives up */
            close(pipe_fds[0]);
            kill((pid_t)pid, SIGKILL);
            while (waitpid((pid_t)pid, NULL, 0) == -1 && errno == EINTR) {
            }
            munmap(stack, SBX_CHILD_STACK);
            result->error = saved;
            errno = saved;
            return -1;
        }
    }
    if (sync_fds[1] >= 0)
        close(sync_fds[1]);
    int32_t rc = finish_spawn(pid, clone_errno, pipe_fds[0], result);
    /* Only now is the stack free: the child has exec'd (a new address space) or been reaped. */
    munmap(stack, SBX_CHILD_STACK);
    return rc;
}
