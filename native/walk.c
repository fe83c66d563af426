/* Reading a directory tree through fds, for trees the daemon must not trust (see sbx.h). */
#define _GNU_SOURCE
#include "sbx.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
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
