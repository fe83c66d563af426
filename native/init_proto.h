/*
 * Messages between sandboxd and a sandbox's init over the control socket (fd 3 in init,
 * SOCK_SEQPACKET: one message per datagram). Little-endian, host order; mirrored in
 * src/Isolation/Launch/InitProtocol.cs, which checks its sizes against Sbx_InitProtocolSizes.
 */
#ifndef SBX_INIT_PROTO_H
#define SBX_INIT_PROTO_H

#include <stdint.h>

#define SBX_MSG_EXEC 1      /* sbx_exec_request + strings, with 3 fds: stdin, stdout, stderr */
#define SBX_MSG_KILL 2      /* sbx_kill_request */
#define SBX_MSG_SET_SECCOMP 3 /* 8-byte header {type, length} + a BPF program (struct sock_filter[]) */
#define SBX_MSG_SET_SECCOMP_NOTIFY 4 /* as 3, for a program with USER_NOTIF rules: each command's
                                       listener fd goes to the daemon before the command runs */
#define SBX_MSG_SET_ROOT_CAPS 5 /* sbx_caps_request: what a command run as uid 0 keeps */
#define SBX_MSG_ADOPT 6     /* a restarted daemon on a re-armed socket (init_adopt.c): answered by ADOPTED */
#define SBX_MSG_STARTED 101 /* sbx_event: pid */
#define SBX_MSG_EXITED 102  /* sbx_event: wait status and rusage */
#define SBX_MSG_FAILED 103  /* sbx_event: step and errno; the command never ran */
#define SBX_MSG_NOTIFY_FD 104 /* sbx_event with one fd: the command's seccomp listener */
#define SBX_MSG_ADOPTED 105 /* sbx_event: init took the restarted daemon's socket as its control socket */

/* Fds init holds for a daemon restarted after the one that launched it (pidfd_getfd(2) by
   number; init_adopt.c): the writable layer's O_PATH fd, put there by the SendDir setup op,
   and, while no daemon holds its control socket, the daemon's end of a fresh one. */
#define SBX_INIT_UPPER_FD 5
#define SBX_INIT_ADOPT_FD 6

/* Steps of starting a command, reported in SBX_MSG_FAILED. */
#define SBX_EXEC_STEP_FORK 1
#define SBX_EXEC_STEP_FDS 2
#define SBX_EXEC_STEP_SETGROUPS 3
#define SBX_EXEC_STEP_SETGID 4
#define SBX_EXEC_STEP_CAPS 5
#define SBX_EXEC_STEP_SETUID 6
#define SBX_EXEC_STEP_NO_NEW_PRIVS 7
#define SBX_EXEC_STEP_CHDIR 8
#define SBX_EXEC_STEP_EXECVE 9
#define SBX_EXEC_STEP_PROTOCOL 10
#define SBX_EXEC_STEP_CAPACITY 11
#define SBX_EXEC_STEP_SECCOMP 12
#define SBX_EXEC_STEP_RLIMIT 13
#define SBX_EXEC_STEP_TTY 14

/* sbx_exec_request.flags */
#define SBX_EXEC_FLAG_TTY 1 /* stdin is a pty slave: it becomes the session's controlling terminal */

/* Largest seccomp program: BPF_MAXINSNS instructions of 8 bytes. */
#define SBX_MAX_SECCOMP_BYTES (4096 * 8)

/* Largest request init accepts: header + argv + env + cwd. */
#define SBX_MAX_REQUEST 262144

typedef struct sbx_exec_request {
    uint32_t type;
    uint32_t exec_id;
    uint32_t uid;
    uint32_t gid;
    uint32_t argc;
    uint32_t envc;
    uint32_t strings_len; /* cwd, argv[0..argc), env[0..envc), each NUL-terminated */
    uint32_t flags;       /* SBX_EXEC_FLAG_*; 0 = plain stdio */
} sbx_exec_request;

typedef struct sbx_kill_request {
    uint32_t type;
    uint32_t exec_id;
    int32_t signal;
    uint32_t reserved;
} sbx_kill_request;

/* The capabilities (bit n = capability n) a command started as uid 0 keeps in its bounding,
   permitted and effective sets; every other command, and uid 0 before this message, keeps none.
   Only sent to a sandbox in its own user namespace, where they act on that namespace alone. */
typedef struct sbx_caps_request {
    uint32_t type;
    uint32_t reserved;
    uint64_t caps;
} sbx_caps_request;

typedef struct sbx_event {
    uint32_t type;
    uint32_t exec_id;
    int32_t pid;
    int32_t status; /* wait status (EXITED) */
    int32_t step;   /* FAILED */
    int32_t error;  /* FAILED */
    /* EXITED: the command's rusage. STARTED and NOTIFY_FD: CLOCK_MONOTONIC stamps in ns of the
       command's way to running (the daemon's stage timings), see below. */
    union {
        struct {
            int64_t utime_us;
            int64_t stime_us;
            int64_t maxrss_kb;
        };
        int64_t at_ns[3];
    };
} sbx_event;

/* sbx_event.at_ns of STARTED: init received the request, fork returned, the child's execve
   finished (its report pipe closed). Of NOTIFY_FD (sent by the child): the child began, its
   setup before the filter was done, the filter was installed. */
#define SBX_AT_STARTED_RECEIVED 0
#define SBX_AT_STARTED_FORKED 1
#define SBX_AT_STARTED_EXECVED 2
#define SBX_AT_NOTIFY_CHILD 0
#define SBX_AT_NOTIFY_SETUP 1
#define SBX_AT_NOTIFY_FILTER 2

_Static_assert(sizeof(sbx_exec_request) == 32, "managed mirror");
_Static_assert(sizeof(sbx_kill_request) == 16, "managed mirror");
_Static_assert(sizeof(sbx_event) == 48, "managed mirror");
_Static_assert(sizeof(sbx_caps_request) == 16, "managed mirror");

#endif
