/*
 * Sending and receiving fds with a datagram (SCM_RIGHTS), and waiting for a readable fd: shared
 * by the daemon's library (util.c, spawn.c) and the static sandbox init (init.c), which cannot
 * link to each other. Header-only for that reason.
 */
#ifndef SBX_FDIO_H
#define SBX_FDIO_H

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SBX_FDIO_MAX_FDS 8

/* One sendmsg of buf with fds attached (none when count is 0), retrying EINTR. */
static inline ssize_t sbx_send_fds(int sock, const void *buf, size_t len, const int *fds, int count)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union {
        char buf[CMSG_SPACE(SBX_FDIO_MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (count > 0) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)count);
    }
    ssize_t n;
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n == -1 && errno == EINTR);
    return n;
}

/* One recvmsg into buf; up to max fds land in fds (close-on-exec), any more are closed.
   *truncated says the datagram did not fit. Bytes received (0 = peer closed) or -1 + errno. */
static inline ssize_t sbx_recv_fds(int sock, void *buf, size_t len, int *fds, int max, int *count, int flags, int *truncated)
{
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    union {
        char buf[CMSG_SPACE(SBX_FDIO_MAX_FDS * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    *count = 0;
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
    } while (n == -1 && errno == EINTR);
    if (n == -1)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        int received = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < received; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + (size_t)i * sizeof(int), sizeof(int));
            if (*count < max)
                fds[(*count)++] = fd;
            else
                close(fd);
        }
    }
    if (truncated != NULL)
        *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    return n;
}

/* 1 when fd is readable (or hung up), 0 on timeout (timeout_ms, -1 = forever), -1 + errno. */
static inline int sbx_wait_readable(int fd, int timeout_ms)
{
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int ready = poll(&p, 1, timeout_ms);
        if (ready == -1 && errno == EINTR)
            continue;
        return ready;
    }
}

#endif
