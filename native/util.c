/* Small helpers the daemon needs from libc that .NET does not expose. */
#define _GNU_SOURCE
#include "sbx.h"
#include "fdio.h"
#include "init_proto.h"

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int32_t Sbx_SendWithFds(int32_t sock, const void *buf, uint32_t len, const int32_t *fds, int32_t fd_count)
{
    if (fd_count < 0 || fd_count > SBX_FDIO_MAX_FDS) {
        errno = EINVAL;
        return -1;
    }
    for (;;) {
        ssize_t r = sbx_send_fds(sock, buf, len, fds, fd_count);
        if (r >= 0)
            return (int32_t)r;
        /* .NET puts sockets it wraps into non-blocking mode; wait instead of failing. */
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        struct pollfd p = { .fd = sock, .events = POLLOUT };
        if (poll(&p, 1, 5000) <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
    }
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
    if (rc == -1 && errno == ENOENT)
        return 0;
    return rc;
}

int32_t Sbx_RemoveTree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == -1)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    /* FTW_PHYS: never follow a symlink. FTW_MOUNT: never descend into another filesystem. */
    return nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* recvmsg of one datagram with up to max_fds fds; waits up to timeout_ms (-1: forever).
   Bytes received (0 = peer closed), or -1 + errno (ETIMEDOUT on timeout). */
int32_t Sbx_RecvWithFds(int32_t sock, void *buf, uint32_t len, int32_t *fds, int32_t max_fds, int32_t *fd_count, int32_t timeout_ms)
{
    *fd_count = 0;
    for (;;) {
        int ready = sbx_wait_readable(sock, timeout_ms);
        if (ready == 0)
            errno = ETIMEDOUT;
        if (ready <= 0)
            return -1;
        ssize_t n = sbx_recv_fds(sock, buf, len, fds, max_fds, fd_count, MSG_DONTWAIT, NULL);
        if (n == -1 && errno == EAGAIN)
            continue;
        return (int32_t)n;
    }
}

/* Waits for the next notification on a seccomp listener. 1 = one was read, 0 = every process
   using the filter is gone, -1 + errno. data receives the call's struct seccomp_data as the
   filter saw it (nr, arch, instruction pointer, args): register values, not memory, so the
   daemon's reading of it cannot differ from the filter's. */
int32_t Sbx_NotifRecv(int32_t listener, uint64_t *id, int32_t *pid, void *data)
{
    _Static_assert(sizeof(struct seccomp_data) == SBX_SECCOMP_DATA_SIZE, "seccomp_data layout is part of the managed contract");
    for (;;) {
        struct pollfd p = { .fd = listener, .events = POLLIN };
        if (poll(&p, 1, -1) == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if ((p.revents & POLLIN) == 0 && (p.revents & (POLLHUP | POLLERR)) != 0)
            return 0;
        struct seccomp_notif req;
        memset(&req, 0, sizeof req);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1) {
            /* ENOENT: the caller died before its notification was read. */
            if (errno == EINTR || errno == ENOENT)
                continue;
            return -1;
        }
        *id = req.id;
        *pid = (int32_t)req.pid;
        memcpy(data, &req.data, sizeof req.data);
        return 1;
    }
}

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

/* Linux >= 6.6: the kernel hands the CPU straight from the notifying caller to the listener and
   back (a synchronous wake-up, as for a pipe ping-pong), instead of waking a thread that may run
   on the other CPU later; each notified call then costs two context switches, not two wake-ups.
   Best effort: older kernels answer EINVAL and notifications work as before. */
int32_t Sbx_NotifSyncWakeUp(int32_t listener)
{
    __u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
    return ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) == -1 ? -1 : 0;
}

static int32_t notif_send(int32_t listener, const struct seccomp_notif_resp *resp)
{
    /* ENOENT: the caller died (or was interrupted) while it waited; nothing is left to answer. */
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp) == -1 && errno != ENOENT)
        return -1;
    return 0;
}

/* Fails the notified call with err, as SECCOMP_RET_ERRNO would have: the call never runs. */
int32_t Sbx_NotifDeny(int32_t listener, uint64_t id, int32_t err)
{
    struct seccomp_notif_resp resp;
    memset(&resp, 0, sizeof resp);
    resp.id = id;
    resp.error = -err;
    return notif_send(listener, &resp);
}

/* Lets the notified call run as if no filter had stopped it (the audit only looks). */
int32_t Sbx_NotifContinue(int32_t listener, uint64_t id)
{
    struct seccomp_notif_resp resp;
    memset(&resp, 0, sizeof resp);
    resp.id = id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    return notif_send(listener, &resp);
}

void Sbx_AbiStructSizes(uint32_t sizes[SBX_ABI_STRUCTS])
{
    sizes[0] = sizeof(sbx_op);
    sizes[1] = sizeof(sbx_spawn_args);
    sizes[2] = sizeof(sbx_spawn_result);
    sizes[3] = sizeof(sbx_file_stat);
    sizes[4] = sizeof(sbx_egress_budget);
    sizes[5] = sizeof(sbx_relay_result);
}

void Sbx_InitProtocolSizes(uint32_t sizes[4])
{
    sizes[0] = sizeof(sbx_exec_request);
    sizes[1] = sizeof(sbx_kill_request);
    sizes[2] = sizeof(sbx_event);
    sizes[3] = sizeof(sbx_caps_request);
}
