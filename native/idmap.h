/* Idmapped detached mounts, made by the daemon (host root) for a sandbox's user namespace. */
#ifndef SBX_IDMAP_H
#define SBX_IDMAP_H

#include <stdint.h>

/* A detached clone of the tree at path, idmapped with the user namespace userns_fd, read-only,
   nosuid and nodev: an O_PATH-like mount fd (close-on-exec), or -1 + errno and *step set to
   SBX_STEP_IDMAP_CLONE or SBX_STEP_IDMAP_SETATTR. */
int sbx_idmapped_tree(int userns_fd, const char *path, int32_t *step);

#endif
