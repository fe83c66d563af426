/*
 * seccomp-run PROGRAM.bpf -- cmd args...
 *
 * Installs a seccomp-BPF program compiled by sandboxd's SeccompCompiler and execs cmd under it,
 * the same way native/ does last before execve: PR_SET_NO_NEW_PRIVS, then
 * seccomp(SECCOMP_SET_MODE_FILTER) with the file's bytes as struct sock_filter[].
 * Every failure names its step ("seccomp: EINVAL") and exits 125; a failed exec exits 127.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_INSNS 4096 /* BPF_MAXINSNS */

_Static_assert(sizeof(struct sock_filter) == 8, "the managed compiler writes 8-byte instructions");

static void fail(const char *step, int err)
{
    const char *name = strerrorname_np(err);
    fprintf(stderr, "seccomp-run: %s: %s\n", step, name ? name : strerror(err));
    exit(125);
}

int main(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: seccomp-run PROGRAM.bpf -- cmd args...\n");
        return 2;
    }

    static struct sock_filter filter[MAX_INSNS];
    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        fail("open program", errno);
    size_t len = 0;
    for (;;) {
        if (len == sizeof filter) {
            char extra;
            if (read(fd, &extra, 1) > 0)
                fail("read program (longer than 4096 instructions)", E2BIG);
            break;
        }
        ssize_t n = read(fd, (char *)filter + len, sizeof filter - len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            fail("read program", errno);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (len == 0 || len % sizeof(struct sock_filter) != 0)
        fail("read program (not a whole number of 8-byte instructions)", EINVAL);

    struct sock_fprog prog = {
        .len = (unsigned short)(len / sizeof(struct sock_filter)),
        .filter = filter,
    };
    /* Without no_new_privs an unprivileged caller may not install a filter; sandboxd always sets it. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
        fail("no_new_privs", errno);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == -1)
        fail("seccomp", errno);

    execvp(argv[3], &argv[3]);
    int err = errno;
    const char *name = strerrorname_np(err);
    fprintf(stderr, "seccomp-run: execve %s: %s\n", argv[3], name ? name : strerror(err));
    return 127;
}
