/*
 * The contract between sandboxd (C#) and libsbxnative. Managed code decides everything
 * (which namespaces, which mounts, in which order); native code only applies the list it is
 * handed, in the cloned child, with async-signal-safe calls and no allocation.
 *
 * Every struct here is mirrored in src/Isolation/Interop; both sides assert the sizes.
 */
#ifndef SBX_H
#define SBX_H

#include <stdint.h>

/* One setup operation, run in order in the child between clone() and execve(). */
enum sbx_op_kind {
    SBX_OP_MAKE_PRIVATE = 1, /* mount(NULL, dst, NULL, MS_REC|MS_PRIVATE): nothing propagates back */
    SBX_OP_MOUNT = 2,        /* mount(src, dst, fstype, flags, data) */
    SBX_OP_BIND = 3,         /* bind src on dst; flags (e.g. MS_RDONLY|MS_NOSUID) applied by a remount */
    SBX_OP_MKDIR = 4,        /* mkdir(dst, flags as mode); an existing dir is fine */
    SBX_OP_CREATE_FILE = 5,  /* an empty file at dst, a target for a bind (device nodes) */
    SBX_OP_SYMLINK = 6,      /* symlink(src, dst); an existing entry is fine */
    SBX_OP_PIVOT_ROOT = 7,   /* pivot_root into dst and detach the old root */
    SBX_OP_HOSTNAME = 8,     /* sethostname(src) */
    SBX_OP_LOOPBACK_UP = 9,  /* bring "lo" up in the new network namespace */
    SBX_OP_CHDIR = 10,       /* chdir(dst) */
    SBX_OP_WRITE_FILE = 11,  /* write src into the existing file dst (cgroup.procs, sysctls) */
    SBX_OP_UNSHARE = 12,     /* unshare(flags): e.g. the cgroup namespace, once in its cgroup */
    SBX_OP_CHOWN = 13,       /* lchown(dst, flags >> 32, flags & 0xffffffff) */
    SBX_OP_SEND_DIR = 14,    /* open dst (O_PATH, a directory, never a symlink) and send the fd to the
                                daemon on the control socket (fd 3): a message of the 8-byte flags */
    SBX_OP_ATTACH_TREE = 15, /* move_mount the idmapped tree number flags (see idmap_trees) onto dst;
                                src names its host path, for errors only */
    SBX_OP_ATTACH_FD = 16,   /* move_mount the detached mount at fd number flags (inherited from the
                                daemon, e.g. Sbx_OpenDisk's) onto dst */
};

/* The first fd the child may use freely: 0-3 are dup'ed over (stdio, the control socket). */
#define SBX_FIRST_FREE_FD 10

/* Steps outside the op list, reported with op_index = -1. */
enum sbx_step {
    SBX_STEP_PIPE = 100,
    SBX_STEP_CLONE = 101,
    SBX_STEP_FDS = 102,
    SBX_STEP_SETSID = 103,
    SBX_STEP_EXEC = 104,
    SBX_STEP_SIGNALS = 105,
    SBX_STEP_USERNS_WAIT = 106, /* the child waiting for its id maps */
    SBX_STEP_SETID = 107,       /* becoming root of the new user namespace */
    SBX_STEP_UID_MAP = 108,     /* parent: writing uid_map / gid_map */
    SBX_STEP_CGROUP_JOIN = 109, /* parent: writing the child's pid to cgroup.procs */
    SBX_STEP_IDMAP_USERNS = 110,  /* parent: opening /proc/<child>/ns/user */
    SBX_STEP_IDMAP_CLONE = 111,   /* parent: open_tree(OPEN_TREE_CLONE) of result->tree */
    SBX_STEP_IDMAP_SETATTR = 112, /* parent: mount_setattr(MOUNT_ATTR_IDMAP) on result->tree */
    SBX_STEP_RELEASE = 113,       /* parent: sending the go byte (and the trees) to the child */
    SBX_STEP_DISK_OPEN = 114,     /* Sbx_OpenDisk: opening the image file */
    SBX_STEP_DISK_LOOP = 115,     /* Sbx_OpenDisk: attaching it to a free loop device */
    SBX_STEP_DISK_MOUNT = 116,    /* Sbx_OpenDisk: fsopen/fsconfig/fsmount of its ext4 */
};

/* At most this many idmapped trees travel to the child (one SCM_RIGHTS message). */
#define SBX_MAX_IDMAP_TREES 4

typedef struct sbx_op {
    uint32_t kind;
    uint32_t reserved;
    uint64_t flags;
    const char *src;
    const char *dst;
    const char *fstype;
    const char *data;
} sbx_op;

typedef struct sbx_spawn_args {
    uint64_t clone_flags;  /* CLONE_NEW* only; SIGCHLD is added */
    const sbx_op *ops;
    uint32_t op_count;
    int32_t exec_fd;       /* the init binary, run with fexecve (never a path inside the sandbox) */
    int32_t control_fd;    /* becomes fd 3 in init */
    int32_t reserved;
    char *const *argv;
    char *const *envp;
    /* With CLONE_NEWUSER: written by the parent into /proc/<child>/{uid,gid}_map before the
       child runs any op, e.g. "0 1065536 65536\n". NULL otherwise. */
    const char *uid_map;
    const char *gid_map;
    /* cgroup.procs files the parent writes the child's pid into before releasing it (a child
       in a user namespace may not write the host's cgroupfs itself). NULL-terminated or NULL. */
    char *const *join_files;
    /* With CLONE_NEWUSER: host directories the parent clones (open_tree) as detached mounts
       idmapped with the child's user namespace (host id N is id N inside), read-only, nosuid,
       nodev, and sends to the child before its first op; SBX_OP_ATTACH_TREE n attaches the
       n-th. Creating them needs CAP_SYS_ADMIN in the initial user namespace, which only the
       parent has. NULL-terminated or NULL; at most SBX_MAX_IDMAP_TREES. */
    char *const *idmap_trees;
} sbx_spawn_args;

typedef struct sbx_spawn_result {
    int32_t pid;
    int32_t op_index;      /* failing op, or -1 for a step outside the list */
    int32_t step;          /* op kind or sbx_step */
    int32_t error;         /* errno */
    int32_t tree;          /* the idmap_trees entry an SBX_STEP_IDMAP_* step failed on, else -1 */
} sbx_spawn_result;

_Static_assert(sizeof(sbx_op) == 48, "sbx_op layout is part of the managed contract");
_Static_assert(sizeof(sbx_spawn_args) == 80, "sbx_spawn_args layout is part of the managed contract");
_Static_assert(sizeof(sbx_spawn_result) == 20, "sbx_spawn_result layout is part of the managed contract");

/*
 * Clones a child in new namespaces, runs ops, and fexecve()s exec_fd.
 * 0: the child exec'd; result->pid is its pid.
 * -1: errno set; result says which step failed. A child that failed has been reaped.
 */
int32_t Sbx_Spawn(const sbx_spawn_args *args, sbx_spawn_result *result);

/*
 * Whether this kernel and the filesystem of path allow an idmapped clone of path (Linux 5.12+
 * and a filesystem with FS_ALLOW_IDMAP): tries one with a throwaway user namespace and drops it.
 * 0, or -1 + errno of the step that failed (*step: an SBX_STEP_* value).
 */
int32_t Sbx_ProbeIdmap(const char *path, int32_t *step);

/*
 * A sandbox's disk: attaches the ext4 image file at path to a free loop device (autoclear) and
 * mounts it as a detached mount (nosuid, nodev). Returns the mount's fd (close-on-exec, at least
 * SBX_FIRST_FREE_FD) for SBX_OP_ATTACH_FD, or -1 + errno of the step that failed (*step).
 */
int32_t Sbx_OpenDisk(const char *path, int32_t *step);

/* sendmsg() of one datagram with up to 8 fds (SCM_RIGHTS). Bytes sent, or -1 + errno. */
int32_t Sbx_SendWithFds(int32_t sock, const void *buf, uint32_t len, const int32_t *fds, int32_t fd_count);

/*
 * Deletes a directory tree without following symlinks and without crossing into another
 * mount: an entry on another filesystem makes its parent's rmdir fail (0 / -1 + errno).
 */
int32_t Sbx_RemoveTree(const char *path);

/* recvmsg with fds (SCM_RIGHTS), waiting up to timeout_ms. Bytes (0 = closed) or -1 + errno. */
int32_t Sbx_RecvWithFds(int32_t sock, void *buf, uint32_t len, int32_t *fds, int32_t max_fds, int32_t *fd_count, int32_t timeout_ms);

/* What the daemon reads of a sandbox's files: the result of fstatat(AT_SYMLINK_NOFOLLOW). */
typedef struct sbx_file_stat {
    uint32_t mode;
    uint32_t rdev_major;
    uint32_t rdev_minor;
    uint32_t dev_major;
    uint32_t dev_minor;
    uint32_t reserved;
    uint64_t ino;
    int64_t size;
    int64_t mtime_ns;
    int64_t ctime_ns;
} sbx_file_stat;

_Static_assert(sizeof(sbx_file_stat) == 56, "sbx_file_stat layout is part of the managed contract");

/*
 * Walking a tree whose contents are hostile (a sandbox's writable layer), one directory fd at a
 * time: nothing here follows a symlink or resolves "..".
 * Sbx_OpenDirAt: openat(dirfd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC); a symlink or a
 * non-directory fails (ELOOP / ENOTDIR). An fd or -1 + errno.
 * Sbx_StatAt: fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW); an empty name is dirfd itself.
 * Sbx_ReadDirEntries: getdents64 into buf (struct linux_dirent64 records). Bytes, 0 at the end.
 */
int32_t Sbx_OpenDirAt(int32_t dirfd, const char *name);
int32_t Sbx_StatAt(int32_t dirfd, const char *name, sbx_file_stat *st);
int32_t Sbx_ReadDirEntries(int32_t dirfd, void *buf, uint32_t len);

/* sizeof each struct this header shares with the daemon, in the order op, spawn_args,
   spawn_result, file_stat, egress_budget, relay_result: the daemon checks its mirrors
   (src/Isolation/Interop) against the library it loaded. */
#define SBX_ABI_STRUCTS 6
void Sbx_AbiStructSizes(uint32_t sizes[SBX_ABI_STRUCTS]);

/* sizeof each message struct of native/init_proto.h, in the order exec, kill, event, caps:
   the daemon checks its mirror (InitProtocol.cs) against the header the init was built from. */
void Sbx_InitProtocolSizes(uint32_t sizes[4]);

/* sizeof(struct seccomp_data): nr, arch, instruction pointer, args[6]. */
#define SBX_SECCOMP_DATA_SIZE 64

/* The next seccomp user notification: 1 read, 0 no process left on the filter, -1 + errno.
   data (SBX_SECCOMP_DATA_SIZE bytes) receives the call's seccomp_data. */
int32_t Sbx_NotifRecv(int32_t listener, uint64_t *id, int32_t *pid, void *data);

/* Fails a notified call with err (positive errno); it never runs. */
int32_t Sbx_NotifDeny(int32_t listener, uint64_t id, int32_t err);

/* Asks for synchronous wake-ups on a listener (Linux >= 6.6); -1 + errno (EINVAL) before. */
int32_t Sbx_NotifSyncWakeUp(int32_t listener);

/* Lets a notified call proceed (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
int32_t Sbx_NotifContinue(int32_t listener, uint64_t id);

/*
 * The egress budget of one sandbox, shared by all of its relays and charged by the daemon for
 * bytes it moves itself. The daemon allocates it (8-byte aligned) and writes the two limits
 * when the policy changes; the counters are only touched atomically.
 */
typedef struct sbx_egress_budget {
    uint64_t total_bytes;      /* relayed so far, both ways, every connection */
    uint64_t max_total_bytes;  /* 0 = unlimited */
    uint64_t bytes_per_second; /* 0 = unlimited */
    uint64_t next_free_ns;     /* CLOCK_MONOTONIC: when the rate lets the next byte go */
} sbx_egress_budget;

enum sbx_relay_end {
    SBX_RELAY_CLOSED = 0,     /* both directions reached EOF and were half-closed in turn */
    SBX_RELAY_STOPPED = 1,    /* Sbx_RelayStop */
    SBX_RELAY_OVER_TOTAL = 2, /* the budget's max_total_bytes was passed */
    SBX_RELAY_FAILED = 3,     /* a socket failed (reset, ...); error holds errno */
};

typedef struct sbx_relay_result {
    uint64_t up;   /* client to upstream, bytes delivered */
    uint64_t down; /* upstream to client */
    int32_t end;   /* sbx_relay_end */
    int32_t error;
} sbx_relay_result;

_Static_assert(sizeof(sbx_egress_budget) == 32, "sbx_egress_budget layout is part of the managed contract");
_Static_assert(sizeof(sbx_relay_result) == 24, "sbx_relay_result layout is part of the managed contract");

typedef struct sbx_relay sbx_relay;

/* Adds bytes to the total: 1 while within max_total_bytes, 0 past it. *wait_ns is how long the
   caller waits before moving them, so that all of the sandbox's traffic keeps to the rate. */
int32_t Sbx_BudgetCharge(sbx_egress_budget *budget, uint64_t bytes, uint64_t *wait_ns);

/* A relay between two connected sockets (made non-blocking), or NULL + errno. With hold_up,
   nothing is read from the client until Sbx_RelayRelease; the upstream's bytes flow at once. */
sbx_relay *Sbx_RelayNew(int32_t client_fd, int32_t upstream_fd, sbx_egress_budget *budget, int32_t hold_up);

/* Blocks until both directions ended, or the relay was stopped, the budget's total passed or a
   socket failed. 0, or -1 + errno for SBX_RELAY_FAILED; result is filled either way. */
int32_t Sbx_RelayRun(sbx_relay *relay, sbx_relay_result *result);

/* Thread-safe, any time during Sbx_RelayRun. */
void Sbx_RelayRelease(sbx_relay *relay);
void Sbx_RelayStop(sbx_relay *relay);

/* After Sbx_RelayRun has returned (or was never called); closes the pipes, not the sockets. */
void Sbx_RelayFree(sbx_relay *relay);

#endif
