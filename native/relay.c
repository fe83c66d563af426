/*
 * The egress proxy's byte relay. After the daemon has decided on a connection (and inspected
 * its TLS ClientHello), both directions are moved here with splice(2) through a pipe, so the
 * bytes never enter user space. One thread serves both directions, blocked in poll(2) with an
 * eventfd in the set, so the daemon can release the held direction or stop the relay at once.
 *
 * Every relay of a sandbox charges one shared budget: a total-bytes counter and a rate kept as a
 * virtual clock (GCRA): each chunk reserves bytes/rate of time after the last reservation, with
 * one compare-and-swap, and is written once its slot has come.
 */
#define _GNU_SOURCE
#include "sbx.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Bigger pipes mean fewer splice calls per megabyte; the kernel caps it at pipe-max-size. */
#define RELAY_PIPE_SIZE (1024 * 1024)
/* With a rate, chunks stay near 1/16 s of it so pacing is smooth rather than bursty. */
#define RELAY_RATE_SLICES 16
#define RELAY_MIN_CHUNK 4096
#define NS_PER_SEC 1000000000ull

enum { UP = 0, DOWN = 1 };

struct relay_dir {
    int from;
    int to;
    int pipe_r;
    int pipe_w;
    size_t queued;     /* in the pipe: read from `from`, not yet written to `to` */
    uint64_t ready_ns; /* the rate lets the queued bytes go at this time */
    uint64_t moved;    /* written to `to` */
    int eof;           /* `from` is at EOF; `to` is shut for writing once the pipe is empty */
    int done;
};

struct sbx_relay {
    struct relay_dir dir[2];
    sbx_egress_budget *budget;
    int wake_fd;
    uint32_t stop; /* atomic */
    uint32_t held; /* atomic: the client's bytes wait while the daemon inspects them */
    int over_total;
    size_t pipe_size;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

int32_t Sbx_BudgetCharge(sbx_egress_budget *budget, uint64_t bytes, uint64_t *wait_ns)
{
    uint64_t total = __atomic_add_fetch(&budget->total_bytes, bytes, __ATOMIC_RELAXED);
    uint64_t max = __atomic_load_n(&budget->max_total_bytes, __ATOMIC_RELAXED);
    uint64_t rate = __atomic_load_n(&budget->bytes_per_second, __ATOMIC_RELAXED);
    *wait_ns = 0;
    if (rate != 0) {
        uint64_t now = now_ns();
        uint64_t cost = (uint64_t)((unsigned __int128)bytes * NS_PER_SEC / rate);
        uint64_t slot = __atomic_load_n(&budget->next_free_ns, __ATOMIC_RELAXED);
        uint64_t start;
        do {
            /* Idle time earns no credit: a slot never starts in the past. */
            start = slot > now ? slot : now;
        } while (!__atomic_compare_exchange_n(&budget->next_free_ns, &slot, start + cost, 1,
                                              __ATOMIC_RELAXED, __ATOMIC_RELAXED));
        *wait_ns = start - now;
    }
    return max == 0 || total <= max;
}

static void close_pipe(struct relay_dir *d)
{
    if (d->pipe_r >= 0)
        close(d->pipe_r);
    if (d->pipe_w >= 0)
        close(d->pipe_w);
}

static int open_dir(struct relay_dir *d, int from, int to, size_t *pipe_size)
{
    int p[2];
    d->from = from;
    d->to = to;
    d->pipe_r = d->pipe_w = -1;
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
        return -1;
    d->pipe_r = p[0];
    d->pipe_w = p[1];
    /* Best effort: a smaller pipe still works, it only takes more calls. */
    int size = fcntl(d->pipe_w, F_SETPIPE_SZ, RELAY_PIPE_SIZE);
    if (size == -1)
        size = fcntl(d->pipe_w, F_GETPIPE_SZ);
    if (size > 0 && (size_t)size < *pipe_size)
        *pipe_size = (size_t)size;
    return 0;
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1)
        return -1;
    return (flags & O_NONBLOCK) ? 0 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

sbx_relay *Sbx_RelayNew(int32_t client_fd, int32_t upstream_fd, sbx_egress_budget *budget, int32_t hold_up)
{
    if (set_nonblocking(client_fd) == -1 || set_nonblocking(upstream_fd) == -1)
        return NULL;
    sbx_relay *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->budget = budget;
    r->held = hold_up != 0;
    r->pipe_size = RELAY_PIPE_SIZE;
    r->dir[UP].pipe_r = r->dir[UP].pipe_w = r->dir[DOWN].pipe_r = r->dir[DOWN].pipe_w = -1;
    r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (r->wake_fd == -1 || open_dir(&r->dir[UP], client_fd, upstream_fd, &r->pipe_size) == -1
        || open_dir(&r->dir[DOWN], upstream_fd, client_fd, &r->pipe_size) == -1) {
        int saved = errno;
        Sbx_RelayFree(r);
        errno = saved;
        return NULL;
    }
    return r;
}

void Sbx_RelayFree(sbx_relay *r)
{
    if (r == NULL)
        return;
    close_pipe(&r->dir[UP]);
    close_pipe(&r->dir[DOWN]);
    if (r->wake_fd >= 0)
        close(r->wake_fd);
    free(r);
}

static void wake(sbx_relay *r)
{
    uint64_t one = 1;
    /* EAGAIN only when the counter is already huge: the relay is awake anyway. */
    ssize_t n = write(r->wake_fd, &one, sizeof one);
    (void)n;
}

void Sbx_RelayRelease(sbx_relay *r)
{
    __atomic_store_n(&r->held, 0, __ATOMIC_RELEASE);
    wake(r);
}

void Sbx_RelayStop(sbx_relay *r)
{
    __atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
    wake(r);
}

static size_t chunk_size(const sbx_relay *r)
{
    uint64_t rate = __atomic_load_n(&r->budget->bytes_per_second, __ATOMIC_RELAXED);
    if (rate == 0)
        return r->pipe_size;
    uint64_t chunk = rate / RELAY_RATE_SLICES;
    if (chunk < RELAY_MIN_CHUNK)
        chunk = RELAY_MIN_CHUNK;
    return chunk < r->pipe_size ? (size_t)chunk : r->pipe_size;
}

static int transient(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

/* One read and one write attempt. 1: progress, 0: would block, -1: failed (errno). */
static int pump(sbx_relay *r, struct relay_dir *d, int may_read)
{
    int progress = 0;
    if (d->done)
        return 0;
    if (d->queued == 0 && !d->eof && may_read) {
        ssize_t n = splice(d->from, NULL, d->pipe_w, NULL, chunk_size(r), SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
            uint64_t wait;
            d->queued = (size_t)n;
            if (!Sbx_BudgetCharge(r->budget, (uint64_t)n, &wait))
                r->over_total = 1;
            d->ready_ns = wait == 0 ? 0 : now_ns() + wait;
            progress = 1;
        } else if (n == 0) {
            d->eof = 1;
            progress = 1;
        } else if (!transient(errno)) {
            return -1;
        }
    }
    if (d->queued > 0 && (d->ready_ns == 0 || now_ns() >= d->ready_ns)) {
        ssize_t n = splice(d->pipe_r, NULL, d->to, NULL, d->queued, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
            d->queued -= (size_t)n;
            d->moved += (uint64_t)n;
            progress = 1;
        } else if (n == -1 && !transient(errno)) {
            return -1;
        }
    }
    if (d->eof && d->queued == 0) {
        /* Half-close: the other direction may still be answering. */
        shutdown(d->to, SHUT_WR);
        d->done = 1;
        progress = 1;
    }
    return progress;
}

/* Waits for any fd the relay can act on, a rate slot, or a wake-up. */
static int wait_for_work(sbx_relay *r, int up_may_read)
{
    struct pollfd fds[5];
    int count = 0;
    int timeout = -1;
    fds[count++] = (struct pollfd){ .fd = r->wake_fd, .events = POLLIN };
    for (int i = UP; i <= DOWN; i++) {
        struct relay_dir *d = &r->dir[i];
        if (d->done)
            continue;
        if (d->queued == 0 && !d->eof && (i == DOWN || up_may_read))
            fds[count++] = (struct pollfd){ .fd = d->from, .events = POLLIN };
        if (d->queued == 0)
            continue;
        uint64_t now = now_ns();
        if (d->ready_ns > now) {
            /* Round up so the relay never wakes a moment before its slot and spins. */
            uint64_t ms = (d->ready_ns - now + 999999) / 1000000;
            if (timeout == -1 || ms < (uint64_t)timeout)
                timeout = (int)ms;
        } else {
            fds[count++] = (struct pollfd){ .fd = d->to, .events = POLLOUT };
        }
    }
    int n = poll(fds, (nfds_t)count, timeout);
    if (n == -1)
        return errno == EINTR ? 0 : -1;
    if (fds[0].revents & POLLIN) {
        uint64_t value;
        ssize_t got = read(r->wake_fd, &value, sizeof value);
        (void)got;
    }
    return 0;
}

static int32_t finish(const sbx_relay *r, sbx_relay_result *result, int32_t end, int32_t error)
{
    result->up = r->dir[UP].moved;
    result->down = r->dir[DOWN].moved;
    result->end = end;
    result->error = error;
    return end == SBX_RELAY_FAILED ? -1 : 0;
}

int32_t Sbx_RelayRun(sbx_relay *r, sbx_relay_result *result)
{
    for (;;) {
        if (__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
            return finish(r, result, SBX_RELAY_STOPPED, 0);
        int up_may_read = !__atomic_load_n(&r->held, __ATOMIC_ACQUIRE);
        int up = pump(r, &r->dir[UP], up_may_read);
        int down = up == -1 ? -1 : pump(r, &r->dir[DOWN], 1);
        if (up == -1 || down == -1)
            return finish(r, result, SBX_RELAY_FAILED, errno);
        /* Like the limit's old managed check: what was read is delivered, then the tunnel closes. */
        if (r->over_total && r->dir[UP].queued == 0 && r->dir[DOWN].queued == 0)
            return finish(r, result, SBX_RELAY_OVER_TOTAL, 0);
        if (r->dir[UP].done && r->dir[DOWN].done)
            return finish(r, result, SBX_RELAY_CLOSED, 0);
        if (!up && !down && wait_for_work(r, up_may_read) == -1)
            return finish(r, result, SBX_RELAY_FAILED, errno);
    }
}
