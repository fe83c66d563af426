/*
 * Idmapped mounts (mount_setattr(2) with MOUNT_ATTR_IDMAP): the image's files, owned by host ids,
 * appear owned by the same ids of a sandbox's user namespace, so root inside owns /etc and
 * overlayfs copies it up into the sandbox's writable layer. Making one needs CAP_SYS_ADMIN over
 * the filesystem (the initial user namespace), so the daemon makes it; the sandbox attaches it.
 */
#define _GNU_SOURCE
#include "sbx.h"
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>

int sbx_idmapped_tree(int userns_fd, const char *path, int32_t *step)
{
    /* AT_RECURSIVE: what a recursive bind of path would show; every submount must allow
       idmapping, or the setattr fails as a whole. */
    int tree = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree == -1) {
        *step = SBX_STEP_IDMAP_CLONE;
        return -1;
    }
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    attr.userns_fd = (uint64_t)userns_fd;
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == -1) {
        int saved = errno;
        close(tree);
        errno = saved;
        *step = SBX_STEP_IDMAP_SETATTR;
        return -1;
    }
    return tree;
}

#define PROBE_STACK (64 * 1024)

/* The probe's child only has to exist while its user namespace is opened. */
__attribute__((noreturn)) static int probe_child(void *arg)
{
    (void)arg;
    for (;;)
        pause();
}

static int write_map(pid_t pid, const char *file)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd == -1)
        return -1;
    /* One id, the host's nobody: the kernel refuses to idmap with a namespace that maps none. */
    static const char map[] = "0 65534 1\n";
    ssize_t n = write(fd, map, sizeof map - 1);
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)(sizeof map - 1) ? 0 : -1;
}

static int probe_userns(pid_t pid, int32_t *step)
{
    if (write_map(pid, "uid_map") == -1 || write_map(pid, "gid_map") == -1) {
        *step = SBX_STEP_UID_MAP;
        return -1;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        *step = SBX_STEP_IDMAP_USERNS;
    return fd;
}

int32_t Sbx_ProbeIdmap(const char *path, int32_t *step)
{
    *step = SBX_STEP_CLONE;
    void *stack = mmap(NULL, PROBE_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -1;
    /* Same discipline as Sbx_Spawn: no copy of the daemon's page tables, no .NET handler
       runs in the child (signals stay blocked there; SIGKILL ends it). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pid = clone(probe_child, (char *)stack + PROBE_STACK, CLONE_NEWUSER | CLONE_VM | SIGCHLD, NULL);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid == -1) {
        munmap(stack, PROBE_STACK);
        errno = saved;
        return -1;
    }
    int userns = probe_userns(pid, step);
    saved = errno;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) == -1 && errno == EINTR) {
    }
    munmap(stack, PROBE_STACK);
    if (userns == -1) {
        errno = saved;
        return -1;
    }
    int tree = sbx_idmapped_tree(userns, path, step);
    saved = errno;
    close(userns);
    if (tree == -1) {
        errno = saved;
        return -1;
    }
    close(tree); /* never attached: the clone goes with its last fd */
    *step = 0;
    return 0;
}
