/* Small helpers the daemon needs from libc that .NET does not expose. */
#define _GNU_SOURCE
#include "sbx.h"

#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int32_t Sbx_SendWithFds(int32_t sock, const void *buf, uint32_t len, const int32_t *fds, int32_t fd_count)
{
    if (fd_count < 0 || fd_count > 8) {
        errno = EINVAL;
        return -1;
    }
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union {
        char buf[CMSG_SPACE(8 * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd_count > 0) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)fd_count);
    }
    for (;;) {
        ssize_t r = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (r >= 0)
            return (int32_t)r;
        if (errno == EINTR)
            continue;
        /* .NET puts sockets it wraps into non-blocking mode; wait instead of failing. */
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd p = { .fd = sock, .events = POLLOUT };
            if (poll(&p, 1, 5000) <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            continue;
        }
        return -1;
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
