/* Reading a directory tree through fds, for trees the daemon must not trust (see sbx.h). */
#define _GNU_SOURCE
#include "sbx.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int32_t Sbx_OpenDirAt(int32_t dirfd, const char *name)
{
    int fd;
    do {
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    } while (fd == -1 && errno == EINTR);
    return fd;
}

int32_t Sbx_StatAt(int32_t dirfd, const char *name, sbx_file_stat *out)
{
    struct stat st;
    int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (name[0] == '\0' ? AT_EMPTY_PATH : 0);
    if (fstatat(dirfd, name, &st, flags) == -1)
        return -1;
    memset(out, 0, sizeof *out);
    out->mode = st.st_mode;
    out->rdev_major = major(st.st_rdev);
    out->rdev_minor = minor(st.st_rdev);
    out->dev_major = major(st.st_dev);
    out->dev_minor = minor(st.st_dev);
    out->ino = st.st_ino;
    out->size = st.st_size;
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    return 0;
}

int32_t Sbx_ReadDirEntries(int32_t dirfd, void *buf, uint32_t len)
{
    ssize_t n;
    do {
        n = getdents64(dirfd, buf, len);
    } while (n == -1 && errno == EINTR);
    return (int32_t)n;
}

/* What counts as a change of a writable layer: every event a write, a create, a delete, a rename,
   an attribute change or the last close of a file opened for writing (which also covers writes
   through a shared mapping) raises, for directories too. Reads and atime updates raise none. */
#define SBX_LAYER_EVENTS (FAN_MODIFY | FAN_ATTRIB | FAN_CLOSE_WRITE | FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM \
                          | FAN_MOVED_TO | FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ONDIR)

int32_t Sbx_LayerWatchOpen(void)
{
    return fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_FID, O_RDONLY | O_CLOEXEC);
}

int32_t Sbx_LayerWatchAdd(int32_t fan, int32_t dirfd, uint64_t *fsid)
{
    struct statfs sf;
    if (fstatfs(dirfd, &sf) == -1)
        return -1;
    uint64_t id = 0;
    memcpy(&id, &sf.f_fsid, sizeof id < sizeof sf.f_fsid ? sizeof id : sizeof sf.f_fsid);
    *fsid = id;
    /* "." rather than NULL: the layer fd may be O_PATH, which a NULL path does not accept. */
    return fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM | FAN_MARK_ONLYDIR, SBX_LAYER_EVENTS, dirfd, ".");
}

int32_t Sbx_LayerWatchDrain(int32_t fan, uint64_t *fsids, int32_t max, int32_t *overflow)
{
    static char buf[64 * 1024] /* callers serialize drains (LayerChangeWatch) */ __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
    int32_t count = 0;
    *overflow = 0;
    for (;;) {
        ssize_t n = read(fan, buf, sizeof buf);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            return count;
        if (n <= 0) {
            *overflow = 1; /* unreadable: every layer may have changed */
            return count;
        }
        for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
            if ((m->mask & FAN_Q_OVERFLOW) != 0 || m->event_len < sizeof *m + sizeof(struct fanotify_event_info_fid)) {
                *overflow = 1;
                continue;
            }
            const struct fanotify_event_info_fid *fid = (const void *)(m + 1);
            uint64_t id = 0;
            memcpy(&id, &fid->fsid, sizeof id < sizeof fid->fsid ? sizeof id : sizeof fid->fsid);
            int32_t i = 0;
            while (i < count && fsids[i] != id)
                i++;
            if (i == count) {
                if (count == max)
                    *overflow = 1;
                else
                    fsids[count++] = id;
            }
        }
    }
}
