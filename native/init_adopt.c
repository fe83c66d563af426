/*
 * A sandbox outlives the daemon that launched it. When the daemon's end of the control socket
 * closes (kill -9, an upgrade, a clean exit that keeps sandboxes), init does not exit: it makes a
 * new socket pair and keeps the daemon's end at a fixed fd number. The restarted daemon finds
 * init by its recorded pid (checked through a pidfd: still in the sandbox's cgroup, PID 1 of its
 * namespace), takes that end with pidfd_getfd(2) — which needs ptrace rights over init, so
 * nothing inside the sandbox can — and sends SBX_MSG_ADOPT on it.
 */
#define _GNU_SOURCE
#include "init_adopt.h"
#include "init_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Above both fixed slots while they are filled: the pair's own numbers may be either. */
#define REARM_SCRATCH_FD 64

int sbx_init_rearm(int control_fd)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
        return -1;
    int mine = fcntl(sv[0], F_DUPFD_CLOEXEC, REARM_SCRATCH_FD);
    int theirs = fcntl(sv[1], F_DUPFD_CLOEXEC, REARM_SCRATCH_FD);
    close(sv[0]);
    close(sv[1]);
    int rc = 0;
    if (mine == -1 || theirs == -1 || dup3(mine, control_fd, O_CLOEXEC) == -1 || dup3(theirs, SBX_INIT_ADOPT_FD, O_CLOEXEC) == -1)
        rc = -1;
    int saved = errno;
    if (mine != -1)
        close(mine);
    if (theirs != -1)
        close(theirs);
    errno = saved;
    return rc;
}

void sbx_init_adopted(int control_fd)
{
    close(SBX_INIT_ADOPT_FD);
    sbx_event ev = { .type = SBX_MSG_ADOPTED, .pid = (int32_t)getpid() };
    while (send(control_fd, &ev, sizeof ev, MSG_NOSIGNAL) == -1 && errno == EINTR) {
    }
}
