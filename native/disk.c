/*
 * A sandbox's disk: an ext4 filesystem in an image file under the state dir, attached to a
 * loop device and mounted as a detached mount (fsopen/fsmount) that the sandbox's child moves
 * into its own mount namespace (SBX_OP_ATTACH_FD). Nothing is mounted on the host; the loop
 * device is set to clear itself once the filesystem lets go of it (the sandbox's mount
 * namespace gone), so a destroyed or stopped sandbox leaves neither mount nor loop device.
 */
#define _GNU_SOURCE
#include "sbx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/loop.h>
#include <linux/mount.h>

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
#endif

/* A free loop device configured on image_fd, autoclear; its fd, or -1 with *step set. */
static int attach_loop(int image_fd, char *dev, size_t dev_len, int32_t *step)
{
    int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (ctl == -1) {
        *step = SBX_STEP_DISK_LOOP;
        return -1;
    }
    /* Another attacher may take the free device between GET_FREE and CONFIGURE: try again. */
    for (int attempt = 0; attempt < 16; attempt++) {
        int n = ioctl(ctl, LOOP_CTL_GET_FREE);
        if (n < 0)
            break;
        snprintf(dev, dev_len, "/dev/loop%d", n);
        int loop = open(dev, O_RDWR | O_CLOEXEC);
        if (loop == -1)
            break;
        struct loop_config config;
        memset(&config, 0, sizeof config);
        config.fd = (uint32_t)image_fd;
        config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
        if (ioctl(loop, LOOP_CONFIGURE, &config) == 0) {
            close(ctl);
            return loop;
        }
        int saved = errno;
        close(loop);
        if (saved != EBUSY) {
            errno = saved;
            break;
        }
    }
    int saved = errno;
    close(ctl);
    errno = saved;
    *step = SBX_STEP_DISK_LOOP;
    return -1;
}

int32_t Sbx_OpenDisk(const char *image, int32_t *step)
{
    *step = SBX_STEP_DISK_OPEN;
    int image_fd = open(image, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (image_fd == -1)
        return -1;
    char dev[32];
    int loop = attach_loop(image_fd, dev, sizeof dev, step);
    int saved = errno;
    close(image_fd); /* the loop device holds the file now */
    if (loop == -1) {
        errno = saved;
        return -1;
    }
    int mnt = -1;
    *step = SBX_STEP_DISK_MOUNT;
    int fs = (int)syscall(SYS_fsopen, "ext4", FSOPEN_CLOEXEC);
    if (fs != -1) {
        if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", dev, 0) == 0
            && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
            mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        saved = errno;
        close(fs);
        errno = saved;
    }
    saved = errno;
    /* Mounted, the filesystem holds the device; autoclear detaches it when that ends. Not
       mounted, this close detaches it now. */
    close(loop);
    if (mnt == -1) {
        errno = saved;
        return -1;
    }
    /* Above the slots the spawned child dup2s over (0-3): it inherits this fd and moves the
       mount into its namespace before execve closes it. */
    int high = fcntl(mnt, F_DUPFD_CLOEXEC, SBX_FIRST_FREE_FD);
    saved = errno;
    close(mnt);
    if (high == -1) {
        errno = saved;
        return -1;
    }
    *step = 0;
    return high;
}
