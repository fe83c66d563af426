/*
 * sbx-init: PID 1 of a sandbox. Reaps every zombie, and runs commands the daemon sends over
 * the control socket (fd 3), already inside every namespace, mount and cgroup of the sandbox,
 * so an execution costs one fork+exec here instead of a fresh sandbox setup.
 *
 * Single-threaded and static (it must run from any rootfs image). When the control socket
 * closes, the daemon is gone: init ends the commands it was running for it (their output and
 * seccomp listeners went with the daemon) and waits for the next daemon (init_adopt.c).
 */
#define _GNU_SOURCE
#include "fdio.h"
#include "init_proto.h"
#include "init_adopt.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONTROL_FD 3
#define MAX_RUNNING 1024
#define MAX_ARGS 4096

typedef struct running {
    pid_t pid;
    uint32_t exec_id;
} running;

static running table[MAX_RUNNING];
static char request_buf[SBX_MAX_REQUEST + 1];

/* The sandbox's syscall filter, installed in every command right before execve. */
static struct sock_filter seccomp_program[SBX_MAX_SECCOMP_BYTES / sizeof(struct sock_filter)];
static unsigned short seccomp_len;
static int seccomp_rejected; /* a bad program fails every command closed, never runs it unfiltered */
static int seccomp_notify;   /* the program has USER_NOTIF rules: each command gets a listener */

/* What a command run as uid 0 keeps (SBX_MSG_SET_ROOT_CAPS); nothing until told. */
static uint64_t root_caps;

/* The command child's report pipe and its copy of the control socket, on which it hands its
   listener fd to the daemon (fd numbers fixed before execve; both close on exec). */
#define CHILD_REPORT_FD 3
#define CHILD_NOTIFY_FD 4

/* CLOCK_MONOTONIC in ns: the daemon's Stopwatch clock, so its stage timings can place these. */
static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* When init received the request being handled (its STARTED event carries it). */
static int64_t request_at;

static void send_event(const sbx_event *ev)
{
    while (send(CONTROL_FD, ev, sizeof *ev, MSG_NOSIGNAL) == -1 && errno == EINTR) {
    }
}

static void send_failed(uint32_t exec_id, int32_t step, int32_t error)
{
    sbx_event ev = { .type = SBX_MSG_FAILED, .exec_id = exec_id, .pid = -1, .step = step, .error = error };
    send_event(&ev);
}

__attribute__((noreturn)) static void child_fail(int fd, int32_t step)
{
    int32_t msg[2] = { step, errno };
    while (write(fd, msg, sizeof msg) == -1 && errno == EINTR) {
    }
    _exit(127);
}

/* Capabilities still in init's own bounding set, which every command child starts with. */
static uint64_t bounding = ~0ULL;

/* Once root's set is known, init drops the rest from its own bounding set (its effective and
   permitted sets stay whole: the bounding set only limits what an execve can gain), so each
   command child drops at most root's caps instead of making 64 prctl calls on its way to execve. */
static void narrow_own_bounding_set(uint64_t keep)
{
    for (int cap = 0; cap <= 63; cap++) {
        uint64_t bit = 1ULL << cap;
        if ((bounding & bit) != 0 && (keep & bit) == 0 && (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 || errno == EINVAL))
            bounding &= ~bit;
    }
}

/* The bounding set decides what any later execve can hold (root's execve gets all of it). */
static void limit_bounding_set(int err_fd, uint64_t keep)
{
    for (int cap = 0; cap <= 63; cap++)
        if ((bounding & ~keep & (1ULL << cap)) != 0 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && errno != EINVAL)
            child_fail(err_fd, SBX_EXEC_STEP_CAPS);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
        child_fail(err_fd, SBX_EXEC_STEP_CAPS);
}

/* Permitted and effective become keep, inheritable empty (as runc since CVE-2022-24769). */
static void set_capability_sets(int err_fd, uint64_t keep)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    data[0].permitted = data[0].effective = (uint32_t)keep;
    data[1].permitted = data[1].effective = (uint32_t)(keep >> 32);
    if (syscall(SYS_capset, &hdr, data) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_CAPS);
}

/* execvpe() searches the caller's PATH; the command's own env decides here. */
static void exec_with_path(char *const argv[], char *const envp[])
{
    const char *file = argv[0];
    if (strchr(file, '/') != NULL) {
        execve(file, argv, envp);
        return;
    }
    const char *path = "/usr/local/bin:/usr/bin:/bin";
    for (char *const *e = envp; *e != NULL; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            path = *e + 5;
    int saw_eacces = 0;
    char full[4096];
    size_t flen = strlen(file);
    while (*path != '\0') {
        const char *end = strchrnul(path, ':');
        size_t dlen = (size_t)(end - path);
        if (dlen + 1 + flen + 1 <= sizeof full) {
            memcpy(full, path, dlen);
            full[dlen] = '/';
            memcpy(full + dlen + 1, file, flen + 1);
            execve(full, argv, envp);
            if (errno == EACCES)
                saw_eacces = 1;
        }
        path = (*end == ':') ? end + 1 : end;
    }
    errno = saw_eacces ? EACCES : ENOENT;
}

/* Hands the seccomp listener to the daemon over (a copy of) init's control socket: one
   SBX_MSG_NOTIFY_FD event with SCM_RIGHTS, as init itself would send it. */
static int send_listener(int sock, uint32_t exec_id, int listener, const int64_t at[3])
{
    sbx_event ev = { .type = SBX_MSG_NOTIFY_FD, .exec_id = exec_id, .pid = (int32_t)syscall(SYS_getpid) };
    memcpy(ev.at_ns, at, sizeof ev.at_ns);
    return sbx_send_fds(sock, &ev, sizeof ev, &listener, 1) == (ssize_t)sizeof ev ? 0 : -1;
}

static void run_child(const sbx_exec_request *req, char **argv, char **envp, const char *cwd,
                      const int fds[3], int err_fd, int notify_fd)
{
    int64_t at[3] = { now_ns(), 0, 0 };
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setsid();
    /* Orphans of the command's tree are reparented to its leader while it lives, not to init, so
       the daemon still finds one that left the session (setsid) through its parent when it kills
       the execution (ProcessTree). Kept across execve. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    /* Lift the report pipe and the control socket above anything dup2 or close_range touch. */
    int report = fcntl(err_fd, F_DUPFD_CLOEXEC, 100);
    int notify = notify_fd >= 0 ? fcntl(notify_fd, F_DUPFD_CLOEXEC, 100) : -1;
    if (report == -1 || (notify_fd >= 0 && notify == -1))
        child_fail(err_fd, SBX_EXEC_STEP_FDS);
    for (int i = 0; i < 3; i++)
        if (dup2(fds[i], i) == -1)
            child_fail(report, SBX_EXEC_STEP_FDS);
    if (dup3(report, CHILD_REPORT_FD, O_CLOEXEC) == -1)
        child_fail(report, SBX_EXEC_STEP_FDS);
    err_fd = CHILD_REPORT_FD;
    /* A terminal execution: the new session (setsid above) takes its pty as controlling tty,
       so job control, ^C and SIGWINCH reach its foreground process group. */
    if ((req->flags & SBX_EXEC_FLAG_TTY) != 0 && ioctl(0, TIOCSCTTY, 0) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_TTY);
    if (notify >= 0 && dup3(notify, CHILD_NOTIFY_FD, O_CLOEXEC) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_FDS);
    /* Only 0-2 stay open past execve; 3 and 4 are close-on-exec. */
    syscall(SYS_close_range, notify >= 0 ? CHILD_NOTIFY_FD + 1 : CHILD_REPORT_FD + 1, ~0U, 0);

    /* Raw calls: this child shares init's memory (CLONE_VM), so none of libc's set*id
       bookkeeping (its all-threads broadcast) may run here; each call changes this task only. */
    if (syscall(SYS_setgroups, 0, NULL) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_SETGROUPS);
    if (syscall(SYS_setresgid, req->gid, req->gid, req->gid) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_SETGID);
    uint64_t keep = req->uid == 0 ? root_caps : 0;
    limit_bounding_set(err_fd, keep);
    if (syscall(SYS_setresuid, req->uid, req->uid, req->uid) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_SETUID);
    set_capability_sets(err_fd, keep);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_NO_NEW_PRIVS);
    if (chdir(cwd) == -1)
        child_fail(err_fd, SBX_EXEC_STEP_CHDIR);
    if (seccomp_rejected) {
        errno = EINVAL;
        child_fail(err_fd, SBX_EXEC_STEP_SECCOMP);
    }
    at[SBX_AT_NOTIFY_SETUP] = now_ns();
    if (seccomp_len > 0) {
        struct sock_fprog prog = { .len = seccomp_len, .filter = seccomp_program };
        unsigned int flags = seccomp_notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
        long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (listener == -1)
            child_fail(err_fd, SBX_EXEC_STEP_SECCOMP);
        /* The daemon must hold the listener before the first audited call (execve, next): it
           goes straight onto the control socket (one message, so it cannot interleave with
           init's), not through init, which saves a hop on every command's way to running. */
        if (seccomp_notify) {
            at[SBX_AT_NOTIFY_FILTER] = now_ns();
            if (send_listener(CHILD_NOTIFY_FD, req->exec_id, (int)listener, at) == -1)
                child_fail(err_fd, SBX_EXEC_STEP_SECCOMP);
            close((int)listener);
            close(CHILD_NOTIFY_FD);
        }
    }
    exec_with_path(argv, envp);
    child_fail(err_fd, SBX_EXEC_STEP_EXECVE);
}

/* The command child's stack: it shares init's memory (CLONE_VM) and init is suspended until the
   child has exec'd (CLONE_VFORK), so one stack serves every command in turn. */
static char child_stack[256 * 1024] __attribute__((aligned(16)));

struct child_args {
    const sbx_exec_request *req;
    char **argv;
    char **envp;
    const char *cwd;
    const int *fds;
    int report_read;
    int report_write;
    int notify_fd;
};

static int child_main(void *arg)
{
    const struct child_args *a = arg;
    close(a->report_read);
    run_child(a->req, a->argv, a->envp, a->cwd, a->fds, a->report_write, a->notify_fd);
    return 127;
}

static int track(pid_t pid, uint32_t exec_id)
{
    for (int i = 0; i < MAX_RUNNING; i++)
        if (table[i].pid == 0) {
            table[i].pid = pid;
            table[i].exec_id = exec_id;
            return 0;
        }
    return -1;
}

static int free_slots(void)
{
    int n = 0;
    for (int i = 0; i < MAX_RUNNING; i++)
        n += table[i].pid == 0;
    return n;
}

/* Splits the NUL-separated strings into cwd, argv and envp (pointers into request_buf). */
static int parse_strings(const sbx_exec_request *req, size_t len, char **cwd, char **argv, char **envp)
{
    if (req->argc == 0 || req->argc + req->envc + 2 > MAX_ARGS)
        return -1;
    if (sizeof *req + req->strings_len != len || req->strings_len == 0)
        return -1;
    char *p = request_buf + sizeof *req;
    char *end = p + req->strings_len;
    if (end[-1] != '\0')
        return -1;
    uint32_t wanted = 1 + req->argc + req->envc, seen = 0;
    for (char *s = p; s < end; s += strlen(s) + 1) {
        if (seen == 0)
            *cwd = s;
        else if (seen <= req->argc)
            argv[seen - 1] = s;
        else if (seen - 1 - req->argc < req->envc)
            envp[seen - 1 - req->argc] = s;
        seen++;
    }
    if (seen != wanted)
        return -1;
    argv[req->argc] = NULL;
    envp[req->envc] = NULL;
    return 0;
}

static void close_fds(const int *fds, int n)
{
    for (int i = 0; i < n; i++)
        close(fds[i]);
}

static void handle_exec(size_t len, const int fds[3], int nfds)
{
    static char *argv[MAX_ARGS], *envp[MAX_ARGS];
    const sbx_exec_request *req = (const sbx_exec_request *)request_buf;
    char *cwd = NULL;
    if (nfds != 3 || parse_strings(req, len, &cwd, argv, envp) == -1) {
        close_fds(fds, nfds);
        send_failed(req->exec_id, SBX_EXEC_STEP_PROTOCOL, EPROTO);
        return;
    }
    if (free_slots() == 0) {
        close_fds(fds, nfds);
        send_failed(req->exec_id, SBX_EXEC_STEP_CAPACITY, EAGAIN);
        return;
    }
    int report[2];
    if (pipe2(report, O_CLOEXEC) == -1) {
        close_fds(fds, nfds);
        send_failed(req->exec_id, SBX_EXEC_STEP_FORK, errno);
        return;
    }
    struct child_args args = { req, argv, envp, cwd, fds, report[0], report[1], seccomp_notify ? CONTROL_FD : -1 };
    /* vfork-style: the child runs on init's memory (no page tables copied, no copy-on-write
       faults in its setup, nothing to tear down at its execve), on a stack of its own, while init
       waits until it has exec'd or died -- which init did anyway, reading the report pipe. */
    pid_t pid = clone(child_main, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    int64_t forked_at = now_ns();
    int fork_errno = errno;
    close(report[1]);
    close_fds(fds, nfds);
    if (pid == -1) {
        close(report[0]);
        send_failed(req->exec_id, SBX_EXEC_STEP_FORK, fork_errno);
        return;
    }
    int32_t msg[2];
    ssize_t r;
    do {
        r = read(report[0], msg, sizeof msg);
    } while (r == -1 && errno == EINTR);
    close(report[0]);
    if (r == (ssize_t)sizeof msg) {
        while (waitpid(pid, NULL, 0) == -1 && errno == EINTR) {
        }
        send_failed(req->exec_id, msg[0], msg[1]);
        return;
    }
    track(pid, req->exec_id);
    sbx_event ev = { .type = SBX_MSG_STARTED, .exec_id = req->exec_id, .pid = pid };
    ev.at_ns[SBX_AT_STARTED_RECEIVED] = request_at;
    ev.at_ns[SBX_AT_STARTED_FORKED] = forked_at;
    ev.at_ns[SBX_AT_STARTED_EXECVED] = now_ns();
    send_event(&ev);
}

static void handle_set_seccomp(size_t len, int notify)
{
    seccomp_notify = notify;
    uint32_t bytes = ((const uint32_t *)request_buf)[1];
    if (len != 8 + (size_t)bytes || bytes == 0 || bytes % sizeof(struct sock_filter) != 0 || bytes > SBX_MAX_SECCOMP_BYTES) {
        seccomp_rejected = 1;
        return;
    }
    memcpy(seccomp_program, request_buf + 8, bytes);
    seccomp_len = (unsigned short)(bytes / sizeof(struct sock_filter));
}

static void handle_kill(const sbx_kill_request *req)
{
    for (int i = 0; i < MAX_RUNNING; i++)
        if (table[i].pid != 0 && table[i].exec_id == req->exec_id) {
            /* The command leads its own process group; take its children with it. */
            kill(-table[i].pid, req->signal);
            kill(table[i].pid, req->signal);
        }
}

/* The daemon that started them is gone, and with it their stdio and seccomp listener: they
   are killed and forgotten, so no event about them reaches the next daemon. */
static void drop_commands(void)
{
    for (int i = 0; i < MAX_RUNNING; i++)
        if (table[i].pid != 0) {
            kill(-table[i].pid, SIGKILL);
            kill(table[i].pid, SIGKILL);
            table[i].pid = 0;
        }
}

static void reap(void)
{
    for (;;) {
        int status;
        struct rusage ru;
        pid_t pid = wait4(-1, &status, WNOHANG, &ru);
        if (pid <= 0)
            return;
        for (int i = 0; i < MAX_RUNNING; i++) {
            if (table[i].pid != pid)
                continue;
            sbx_event ev = {
                .type = SBX_MSG_EXITED,
                .exec_id = table[i].exec_id,
                .pid = pid,
                .status = status,
                .utime_us = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                .stime_us = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
                .maxrss_kb = ru.ru_maxrss,
            };
            table[i].pid = 0;
            send_event(&ev);
        }
    }
}

/* Reads one request with its fds. 0 = EOF (daemon gone), -1 = retry, else length. */
static ssize_t receive(int fds[3], int *nfds)
{
    int truncated = 0;
    ssize_t n = sbx_recv_fds(CONTROL_FD, request_buf, SBX_MAX_REQUEST, fds, 3, nfds, 0, &truncated);
    if (n == -1)
        return errno == EAGAIN ? -1 : 0;
    if (truncated) {
        close_fds(fds, *nfds);
        *nfds = 0;
        return n > 0 ? n : 1;
    }
    return n;
}

int main(void)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd == -1)
        return 1;

    struct pollfd p[2] = { { .fd = CONTROL_FD, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
    for (;;) {
        if (poll(p, 2, -1) == -1) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) > 0) {
            }
            reap();
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            int fds[3], nfds = 0;
            ssize_t n = receive(fds, &nfds);
            request_at = now_ns();
            if (n == 0) {
                drop_commands();
                if (sbx_init_rearm(CONTROL_FD) == -1)
                    return 0;
                continue;
            }
            if (n < 0)
                continue;
            uint32_t type = n >= 4 ? *(uint32_t *)request_buf : 0;
            if (type == SBX_MSG_EXEC && (size_t)n >= sizeof(sbx_exec_request))
                handle_exec((size_t)n, fds, nfds);
            else if ((type == SBX_MSG_SET_SECCOMP || type == SBX_MSG_SET_SECCOMP_NOTIFY) && n >= 8)
                handle_set_seccomp((size_t)n, type == SBX_MSG_SET_SECCOMP_NOTIFY);
            else if (type == SBX_MSG_SET_ROOT_CAPS && (size_t)n == sizeof(sbx_caps_request))
            {
                /* Sent once, before any command: a cap dropped here cannot come back. */
                root_caps = ((const sbx_caps_request *)request_buf)->caps;
                narrow_own_bounding_set(root_caps);
            }
            else if (type == SBX_MSG_ADOPT && nfds == 0)
                sbx_init_adopted(CONTROL_FD);
            else if (type == SBX_MSG_KILL && (size_t)n == sizeof(sbx_kill_request))
                handle_kill((const sbx_kill_request *)request_buf);
            else
                close_fds(fds, nfds);
        }
    }
}
